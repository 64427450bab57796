import { newEvent } from '@agora/kit/events/port';
import type { CommentRecord } from '../store/comments';

/** The Kafka topic the comments service publishes (DESIGN.md), keyed by comment id. */
export const TOPICS = { comments: 'comments.comments' } as const;

/** The forum's topic this service replicates posts from. */
export const FORUM_POSTS = 'forum.posts';

export type CommentEventType = 'comment.created' | 'comment.updated' | 'comment.deleted';

/** comment.created / comment.updated / comment.deleted: the comment as it is after the write. */
export const commentEvent = (type: CommentEventType, comment: CommentRecord, actorId: string) =>
  newEvent({
    type,
    source: 'comments',
    subject: comment.id,
    actorId,
    data: {
      id: comment.id,
      postId: comment.postId,
      authorId: comment.authorId,
      parentId: comment.parentId,
      body: comment.body,
      createdAt: comment.createdAt.toISOString(),
      updatedAt: comment.updatedAt.toISOString(),
    },
  });
