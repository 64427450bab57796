import { blocksMigrations } from '@agora/kit/blocks';
import type { ServiceDefinition } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
import type { Context } from './context';
import { consumeReplicas } from './events/consumers';
import { resolvers } from './resolvers';
import { CommentEntity, CommentStore } from './store/comments';
import { migrations } from './store/migrations';
import { PostReplicaEntity, PostReplicaStore } from './store/posts';

/** The comments subgraph: threaded comments on forum posts. Wiring only. */
export const commentsService: ServiceDefinition = {
  name: 'comments',
  async start(runtime) {
    const store = await openServiceStore(
      { ...runtime, events: runtime.infra.events },
      {
        service: 'comments',
        entities: [CommentEntity, PostReplicaEntity],
        migrations: [...blocksMigrations, ...migrations],
      },
    );
    const { db, outbox } = store;
    const posts = new PostReplicaStore(db);
    const comments = new CommentStore(db, outbox, posts);
    const replicas = await consumeReplicas(db, runtime.infra.events, posts, runtime.log);
    const server = await serveSubgraph<Context>(runtime, {
      name: 'comments',
      db,
      resolvers,
      context: (base) => ({ ...base, comments, posts }),
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await replicas.stop();
        await store.close();
      },
    };
  },
};
