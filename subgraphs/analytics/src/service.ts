import type { ServiceDefinition } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
import type { Context } from './context';
import { resolvers } from './resolvers';
import { migrations } from './store/migrations';

/** The analytics subgraph. Wiring only: stores, consumers and the server. */
export const analyticsService: ServiceDefinition = {
  name: 'analytics',
  async start(runtime) {
    const store = await openServiceStore(
      { ...runtime, events: runtime.infra.events },
      { service: 'analytics', entities: [], migrations },
    );
    const server = await serveSubgraph<Context>(runtime, {
      name: 'analytics',
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
