import { openDatabase } from '@agora/kit/db/datasource';
import { Outbox, outboxMigrations } from '@agora/kit/outbox';
import { loadSubgraphSchema } from '@agora/kit/paths';
import type { ServiceDefinition } from '@agora/kit/service';
import { startSubgraphServer } from '@agora/kit/subgraph';
import type { Context } from './context';
import { resolvers } from './resolvers';
import { migrations } from './store/migrations';
import { PanelEntity, PanelStore } from './store/panels';

/** The forum subgraph: panels (and, later, posts). Wiring only. */
export const forumService: ServiceDefinition = {
  name: 'forum',
  async start(runtime) {
    const db = await openDatabase({
      service: 'forum',
      url: runtime.databaseUrl,
      dataDir: runtime.dataDir,
      entities: [PanelEntity],
      migrations: [...outboxMigrations, ...migrations],
    });
    const outbox = new Outbox(db, runtime.infra.events, runtime.log);
    outbox.start();
    const panels = new PanelStore(db, outbox);
    const server = await startSubgraphServer<Context>({
      name: 'forum',
      host: runtime.host,
      port: runtime.port,
      log: runtime.log,
      maxBodyBytes: runtime.maxBodyBytes,
      identify: runtime.identify,
      typeDefs: loadSubgraphSchema('forum'),
      resolvers,
      context: (base) => ({ ...base, panels }),
      ready: async () => await db.query('SELECT 1').then(() => true),
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await outbox.stop();
        await db.destroy();
      },
    };
  },
};
