import { blocksMigrations } from '@agora/kit/blocks';
import { openDatabase } from '@agora/kit/db/datasource';
import { Outbox, outboxMigrations } from '@agora/kit/outbox';
import { loadSubgraphSchema } from '@agora/kit/paths';
import type { ServiceDefinition } from '@agora/kit/service';
import { startSubgraphServer } from '@agora/kit/subgraph';
import type { Context } from './context';
import { consumeRelations } from './events/consumers';
import { resolvers } from './resolvers';
import { RecordCache } from './store/cache';
import { migrations } from './store/migrations';
import { PanelEntity, PanelStore, revivePanel, type PanelRecord } from './store/panels';
import { PostEntity, PostStore, revivePost, type PostRecord } from './store/posts';

/** Hot reads (a post or panel by id) are cached this long, and invalidated by every write. */
const CACHE_TTL_MS = 60_000;

/** The forum subgraph: panels and posts. Wiring only. */
export const forumService: ServiceDefinition = {
  name: 'forum',
  async start(runtime) {
    const db = await openDatabase({
      service: 'forum',
      url: runtime.databaseUrl,
      dataDir: runtime.dataDir,
      entities: [PanelEntity, PostEntity],
      migrations: [...outboxMigrations, ...blocksMigrations, ...migrations],
    });
    const outbox = new Outbox(db, runtime.infra.events, runtime.log);
    outbox.start();
    const cached = { cache: runtime.infra.cache, log: runtime.log, ttlMs: CACHE_TTL_MS };
    const panels = new PanelStore(
      db,
      outbox,
      new RecordCache<PanelRecord>({ ...cached, prefix: 'forum:panel:', revive: revivePanel }),
    );
    const posts = new PostStore(
      db,
      outbox,
      new RecordCache<PostRecord>({ ...cached, prefix: 'forum:post:', revive: revivePost }),
      panels,
    );
    const relations = await consumeRelations(db, runtime.infra.events);
    const server = await startSubgraphServer<Context>({
      name: 'forum',
      host: runtime.host,
      port: runtime.port,
      log: runtime.log,
      maxBodyBytes: runtime.maxBodyBytes,
      identify: runtime.identify,
      typeDefs: loadSubgraphSchema('forum'),
      resolvers,
      context: (base) => ({ ...base, panels, posts }),
      ready: async () => await db.query('SELECT 1').then(() => true),
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await relations.stop();
        await outbox.stop();
        await db.destroy();
      },
    };
  },
};
