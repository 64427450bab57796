import { TOPICS as CATALOGUE, commentCreated, commentDeleted, commentUpdated } from '@agora/contracts/events';
import type { CommentRecord } from '../store/comments';

/** The Kafka topic the comments service publishes (DESIGN.md), keyed by comment id. */
export const TOPICS = { comments: CATALOGUE.comments } as const;

const COMMENT_EVENTS = {
  'comment.created': commentCreated,
  'comment.updated': commentUpdated,
  'comment.deleted': commentDeleted,
} as const;

export type CommentEventType = keyof typeof COMMENT_EVENTS;

/** comment.created / comment.updated / comment.deleted: the comment as it is after the write. */
export const commentEvent = (type: CommentEventType, comment: CommentRecord, actorId: string) =>
  COMMENT_EVENTS[type].build({
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
