import { correctableWords, applyCorrections, encodePosition, searchRequest, suggestionRequest } from '../domain/query';
import { entityRef, type SearchPage } from '../domain/results';
import { highlightHtml } from '../domain/text';
import type { MatchPage, MatchQuery, SearchStore } from '../store/search';
import type { Resolvers } from '../__generated__/resolvers-types';

/**
 * A search: the query as typed; if it matches nothing, the same query with each word
 * replaced by its closest indexed word, when that changes anything.
 */
export async function runSearch(
  store: SearchStore,
  viewerId: string | null,
  args: Parameters<typeof searchRequest>[0],
): Promise<SearchPage> {
  const request = searchRequest(args);
  const query: MatchQuery = {
    text: request.text,
    prefix: request.prefix,
    types: request.types,
    tags: request.tags,
    viewerId,
    after: request.after,
    limit: request.size + 1,
  };
  let page: MatchPage = await store.matches(query);
  let correctedQuery: string | null = null;
  if (page.total === 0) {
    const corrected = applyCorrections(request.text, await store.corrections(correctableWords(request.text)));
    if (corrected.toLowerCase() !== request.text.toLowerCase()) {
      page = await store.matches({ ...query, text: corrected, prefix: null });
      if (page.total > 0) correctedQuery = corrected;
    }
  }
  const edges = page.matches.slice(0, request.size).map((match) => ({
    cursor: encodePosition(match.score, match.id),
    node: entityRef(match.type, match.id),
    score: match.score,
    highlight: highlightHtml(match.headline),
  }));
  return {
    edges,
    pageInfo: { hasNextPage: page.matches.length > request.size, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: page.total,
    correctedQuery,
  };
}

export const searchResolvers: Resolvers = {
  Query: {
    search: (_parent, args, ctx) => runSearch(ctx.search, ctx.viewer?.id ?? null, args),
    tagSuggestions: (_parent, args, ctx) => {
      const { prefix, size } = suggestionRequest(args);
      return ctx.search.tags(prefix, size);
    },
  },
  SearchResult: {
    __resolveType: (node) => node.__typename,
  },
};
