import { blocksMigrations } from '@agora/kit/blocks';
import type { ServiceDefinition } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
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
    const store = await openServiceStore(
      { ...runtime, events: runtime.infra.events },
      { service: 'forum', entities: [PanelEntity, PostEntity], migrations: [...blocksMigrations, ...migrations] },
    );
    const { db, outbox } = store;
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
    const relations = await consumeRelations(db, runtime.infra.events, runtime.log);
    const server = await serveSubgraph<Context>(runtime, {
      name: 'forum',
      db,
      resolvers,
      context: (base) => ({ ...base, panels, posts }),
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await relations.stop();
        await store.close();
      },
    };
  },
};
