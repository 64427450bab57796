import { randomUUID } from 'node:crypto';
import type { EventLog } from '@agora/kit/events/port';
import type { Infra } from '@agora/kit/infra';
import { startServiceForTest, waitFor, type GraphQLResponse, type ServiceUnderTest } from '@agora/kit/testing';
import type { Viewer } from '@agora/kit/viewer';
import { INDEX_TOPICS } from '../src/events/projector';
import type { IndexerSettings } from '../src/events/indexer';
import { startSearch, type RunningSearch } from '../src/service';

export const SEARCH = `query($q: String!, $types: [SearchType!], $tags: [String!], $first: Int, $after: String) {
  search(query: $q, types: $types, tags: $tags, first: $first, after: $after) {
    totalCount
    correctedQuery
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      score
      highlight
      node { __typename ... on Post { id } ... on Comment { id } ... on Picture { id } ... on User { id } }
    }
  }
}`;

export interface Hit {
  cursor: string;
  score: number;
  highlight: string;
  node: { __typename: string; id: string } | null;
}

export interface Results {
  totalCount: number;
  correctedQuery: string | null;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Hit[];
}

export interface SearchArgs {
  types?: string[];
  tags?: string[];
  first?: number;
  after?: string;
  viewer?: string;
}

/** The search subgraph alone, on an event log the test publishes to, called as any viewer. */
export class SearchUnderTest {
  private constructor(
    readonly underTest: ServiceUnderTest,
    readonly events: EventLog,
  ) {}

  static async start(
    options: { infra?: Infra; dataDir?: string; settings?: Partial<IndexerSettings> } = {},
  ): Promise<SearchUnderTest> {
    const { settings, ...rest } = options;
    const underTest = await startServiceForTest(
      { name: 'search', start: (runtime) => startSearch(runtime, settings) },
      rest,
    );
    return new SearchUnderTest(underTest, underTest.infra.events);
  }

  get service(): RunningSearch {
    return this.underTest.service as RunningSearch;
  }

  call<D = Record<string, unknown>>(viewer: string | undefined, query: string, variables?: Record<string, unknown>) {
    const who: Viewer | null = viewer ? { id: viewer, roles: ['user'] } : null;
    return this.underTest.call<D>(who, query, variables);
  }

  async raw(q: string, args: SearchArgs = {}): Promise<GraphQLResponse<{ search: Results }>> {
    const { viewer, ...rest } = args;
    return this.call<{ search: Results }>(viewer, SEARCH, { q, ...rest });
  }

  async search(q: string, args: SearchArgs = {}): Promise<Results> {
    const res = await this.raw(q, args);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.search;
  }

  /** Ids of the results, best first. */
  async ids(q: string, args: SearchArgs = {}): Promise<string[]> {
    return (await this.search(q, args)).edges.map((e) => e.node!.id);
  }

  async tags(prefix: string, first?: number) {
    const res = await this.call<{ tagSuggestions: { tag: string; count: number }[] }>(
      undefined,
      `query($p: String!, $f: Int) { tagSuggestions(prefix: $p, first: $f) { tag count } }`,
      { p: prefix, f: first },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.tagSuggestions;
  }

  /** Resolves once the live generation has applied every event published so far. */
  async indexed(timeoutMs = 20_000): Promise<void> {
    await waitFor(
      'the index to catch up with the event log',
      async () => {
        const group = this.service.indexer.group;
        return group !== undefined && (await this.events.backlog(group, INDEX_TOPICS)) === 0;
      },
      timeoutMs,
    );
  }

  close(): Promise<void> {
    return this.underTest.close();
  }
}

export const uuid = () => randomUUID();
