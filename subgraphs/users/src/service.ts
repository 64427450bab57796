import { openDatabase } from '@agora/kit/db/datasource';
import { Outbox, outboxMigrations } from '@agora/kit/outbox';
import { loadSubgraphSchema } from '@agora/kit/paths';
import type { ServiceDefinition } from '@agora/kit/service';
import { startSubgraphServer } from '@agora/kit/subgraph';
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
    const db = await openDatabase({
      service: 'users',
      url: runtime.databaseUrl,
      dataDir: runtime.dataDir,
      entities: [],
      migrations: [...outboxMigrations, ...migrations],
    });
    const outbox = new Outbox(db, runtime.infra.events, runtime.log);
    outbox.start();
    const profiles = new ProfileStore(db);
    const relations = new RelationStore(db, outbox, profiles);
    const registrations = await consumeRegistrations(db, runtime.infra.events, profiles);
    const server = await startSubgraphServer<Context>({
      name: 'users',
      host: runtime.host,
      port: runtime.port,
      log: runtime.log,
      maxBodyBytes: runtime.maxBodyBytes,
      identify: runtime.identify,
      typeDefs: loadSubgraphSchema('users'),
      resolvers,
      context: (base) => ({ ...base, profiles, relations }),
      ready: async () => await db.query('SELECT 1').then(() => true),
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await registrations.stop();
        await outbox.stop();
        await db.destroy();
      },
    };
  },
};
