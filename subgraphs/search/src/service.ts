import type { ServiceDefinition } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
import type { Context } from './context';
import { resolvers } from './resolvers';
import { migrations } from './store/migrations';

/** The search subgraph. Wiring only: stores, consumers and the server. */
export const searchService: ServiceDefinition = {
  name: 'search',
  async start(runtime) {
    const store = await openServiceStore(
      { ...runtime, events: runtime.infra.events },
      { service: 'search', entities: [], migrations },
    );
    const server = await serveSubgraph<Context>(runtime, {
      name: 'search',
      db: store.db,
      resolvers,
      context: (base) => base,
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  },
};
