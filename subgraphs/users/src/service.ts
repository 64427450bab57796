import type { ServiceDefinition } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
import type { Context } from './context';
import { consumeRegistrations } from './events/registrations';
import { resolvers } from './resolvers';
import { migrations } from './store/migrations';
import { ProfileStore } from './store/profiles';
import { RelationStore } from './store/relations';

/** The users subgraph: the User entity, profiles, follows and blocks. Wiring only. */
export const usersService: ServiceDefinition = {
  name: 'users',
  async start(runtime) {
    const store = await openServiceStore(
      { ...runtime, events: runtime.infra.events },
      { service: 'users', migrations },
    );
    const { db, outbox } = store;
    const profiles = new ProfileStore(db, outbox);
    const relations = new RelationStore(db, outbox, profiles);
    const registrations = await consumeRegistrations(db, runtime.infra.events, profiles, runtime.log);
    const server = await serveSubgraph<Context>(runtime, {
      name: 'users',
      db,
      resolvers,
      context: (base) => ({ ...base, profiles, relations }),
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await registrations.stop();
        await store.close();
      },
    };
  },
};
