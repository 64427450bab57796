import type { DataSource } from 'typeorm';
import { postCreated, postDeleted, postUpdated } from '@agora/contracts/events';
import { blockHandlers } from '@agora/kit/blocks';
import { consume, on } from '@agora/kit/events/consume';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { consumeOnce } from '@agora/kit/outbox';
import type { PostReplicaStore } from '../store/posts';

const GROUP = 'comments';

/**
 * Keeps the local replicas: posts from forum.posts (which posts exist, which are
 * deleted) and blocks from users.relations (whose comments a viewer does not see).
 */
export function consumeReplicas(
  db: DataSource,
  events: EventLog,
  posts: PostReplicaStore,
  log: Logger,
): Promise<Consumer> {
  const keepPost = on(postCreated, async (data, event) => {
    await consumeOnce(db, GROUP, event, (tx) => posts.keep(tx, data));
  });
  return consume(events, {
    group: GROUP,
    fromBeginning: true,
    log,
    handlers: [
      keepPost,
      on(postUpdated, async (data, event) => {
        await consumeOnce(db, GROUP, event, (tx) => posts.keep(tx, data));
      }),
      on(postDeleted, async (data, event) => {
        await consumeOnce(db, GROUP, event, (tx) => posts.markDeleted(tx, data));
      }),
      ...blockHandlers(db, GROUP),
    ],
  });
}
