import { blocksMigrations } from '@agora/kit/blocks';
import { openDatabase } from '@agora/kit/db/datasource';
import { Outbox, outboxMigrations } from '@agora/kit/outbox';
import { loadSubgraphSchema } from '@agora/kit/paths';
import type { ServiceDefinition } from '@agora/kit/service';
import { startSubgraphServer } from '@agora/kit/subgraph';
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
    const db = await openDatabase({
      service: 'comments',
      url: runtime.databaseUrl,
      dataDir: runtime.dataDir,
      entities: [CommentEntity, PostReplicaEntity],
      migrations: [...outboxMigrations, ...blocksMigrations, ...migrations],
    });
    const outbox = new Outbox(db, runtime.infra.events, runtime.log);
    outbox.start();
    const posts = new PostReplicaStore(db);
    const comments = new CommentStore(db, outbox, posts);
    const replicas = await consumeReplicas(db, runtime.infra.events, posts);
    const server = await startSubgraphServer<Context>({
      name: 'comments',
      host: runtime.host,
      port: runtime.port,
      log: runtime.log,
      maxBodyBytes: runtime.maxBodyBytes,
      identify: runtime.identify,
      typeDefs: loadSubgraphSchema('comments'),
      resolvers,
      context: (base) => ({ ...base, comments, posts }),
      ready: async () => await db.query('SELECT 1').then(() => true),
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await replicas.stop();
        await outbox.stop();
        await db.destroy();
      },
    };
  },
};
