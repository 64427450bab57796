import type { DataSource } from 'typeorm';
import { blocksMigrations } from '@agora/kit/blocks';
import type { RunningService, ServiceDefinition, ServiceRuntime } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
import { rebuildRoute } from './admin';
import type { Context } from './context';
import { DEFAULT_INDEXER_SETTINGS, Indexer, type IndexerSettings } from './events/indexer';
import { resolvers } from './resolvers';
import { Generations } from './store/generations';
import { migrations } from './store/migrations';
import { SearchStore } from './store/search';

/**
 * The search subgraph: a read model (CQRS) built only from events — people, posts, comments,
 * pictures and blocks — and queried with PostgreSQL full-text search. Wiring only.
 */
export const searchService: ServiceDefinition = {
  name: 'search',
  start: (runtime) => startSearch(runtime),
};

export interface RunningSearch extends RunningService {
  indexer: Indexer;
  /** The queries, on the service's database (benchmarks compare them with other SQL there). */
  store: SearchStore;
  db: DataSource;
}

/** The service with its indexer in reach (tests, the offline rebuild). */
export async function startSearch(
  runtime: ServiceRuntime,
  settings: Partial<IndexerSettings> = {},
): Promise<RunningSearch> {
  const store = await openServiceStore(
    { ...runtime, events: runtime.infra.events },
    { service: 'search', migrations: [...blocksMigrations, ...migrations] },
  );
  const { db } = store;
  const generations = await Generations.open(db);
  const indexer = new Indexer(db, runtime.infra.events, generations, runtime.log, {
    ...DEFAULT_INDEXER_SETTINGS,
    ...settings,
  });
  await indexer.start();
  const search = new SearchStore(db, generations);
  const server = await serveSubgraph<Context>(runtime, {
    name: 'search',
    db,
    resolvers,
    context: (base) => ({ ...base, search }),
    routes: { '/rebuild': rebuildRoute(indexer) },
  });
  return {
    ...server,
    indexer,
    store: search,
    db,
    close: async () => {
      await server.close();
      await indexer.stop();
      await store.close();
    },
  };
}
