import { useCallback, useState } from 'react';
import { useClient, useQuery, type AnyVariables, type CombinedError, type TypedDocumentNode } from 'urql';

export interface Connection<N> {
  edges: readonly { node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/**
 * A Relay connection read page by page: the first page through useQuery (cached, refetched
 * when a mutation touches its types), later pages appended by `loadMore`; nodes deduplicated
 * by id, so a refetched first page and the pages after it never show an item twice.
 */
export function useConnection<
  D,
  V extends AnyVariables & { first?: number | null; after?: string | null },
  N extends { id: string },
>(
  query: TypedDocumentNode<D, V>,
  variables: Omit<V, 'first' | 'after'>,
  select: (data: D) => Connection<N> | null | undefined,
  options: { pageSize?: number; pause?: boolean } = {},
) {
  const pageSize = options.pageSize ?? 20;
  const firstVariables = { ...variables, first: pageSize, after: null } as unknown as V;
  const [result, reexecute] = useQuery({
    query,
    variables: firstVariables,
    requestPolicy: 'cache-and-network',
    pause: options.pause,
  });
  const client = useClient();
  // Pages after the first, for these variables only: a new filter starts from its first page.
  const key = JSON.stringify(variables);
  const [extra, setExtra] = useState<{ key: string; pages: Connection<N>[] }>({ key, pages: [] });
  const more = extra.key === key ? extra.pages : [];
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<CombinedError>();

  const firstPage = result.data ? select(result.data) : undefined;
  const last = more.length > 0 ? more[more.length - 1] : firstPage;
  const hasMore = Boolean(last?.pageInfo.hasNextPage && last.pageInfo.endCursor);

  const loadMore = useCallback(async () => {
    if (loadingMore || !last?.pageInfo.hasNextPage || !last.pageInfo.endCursor) return;
    setLoadingMore(true);
    const next = await client
      .query(query, { ...JSON.parse(key), first: pageSize, after: last.pageInfo.endCursor } as V)
      .toPromise();
    setLoadingMore(false);
    setMoreError(next.error);
    const page = next.data ? select(next.data) : undefined;
    if (page) setExtra((current) => ({ key, pages: current.key === key ? [...current.pages, page] : [page] }));
  }, [loadingMore, last, client, query, pageSize, key]);

  const seen = new Set<string>();
  const nodes: N[] = [];
  for (const page of [firstPage, ...more]) {
    for (const edge of page?.edges ?? []) {
      if (seen.has(edge.node.id)) continue;
      seen.add(edge.node.id);
      nodes.push(edge.node);
    }
  }
  return {
    data: result.data,
    nodes,
    loading: result.fetching && !result.data,
    error: result.error ?? moreError,
    hasMore,
    loadingMore,
    loadMore,
    refetch: () => reexecute({ requestPolicy: 'network-only' }),
  };
}
