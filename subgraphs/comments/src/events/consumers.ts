import type { DataSource } from 'typeorm';
import { applyRelationEvent, RELATIONS_TOPIC } from '@agora/kit/blocks';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import { consumeOnce } from '@agora/kit/outbox';
import type { PostReplicaStore } from '../store/posts';
import { FORUM_POSTS } from './topics';

const GROUP = 'comments';

/**
 * Keeps the local replicas: posts from forum.posts (which posts exist, which are
 * deleted) and blocks from users.relations (whose comments a viewer does not see).
 */
export function consumeReplicas(db: DataSource, events: EventLog, posts: PostReplicaStore): Promise<Consumer> {
  return events.subscribe({
    group: GROUP,
    topics: [FORUM_POSTS, RELATIONS_TOPIC],
    fromBeginning: true,
    handle: async (event, topic) => {
      await consumeOnce(db, GROUP, event, (tx) =>
        topic === FORUM_POSTS ? posts.apply(tx, event) : applyRelationEvent(tx, event),
      );
    },
  });
}
