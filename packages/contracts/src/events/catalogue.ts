import { z } from 'zod';
import { ANALYTICS_EVENTS } from './analytics';
import { defineEvent, defineNotice } from './define';
import { PROFILE_EVENTS } from './profiles';
import { NOTIFICATIONS_EVENTS } from './notifications';
import { GATEWAY_EVENTS } from './gateway';

/**
 * The event catalogue: every Kafka topic, event type and payload schema, and every
 * `realtime` notice, declared once. Producers build with `.build`, consumers read with
 * `.parse` (through the kit's `consume`). Changing a field here breaks the typecheck of its
 * producer and of every consumer that reads it.
 *
 * Versions: a new optional field is a new minor (consumers of the same major read it);
 * anything else is a new major, with a new definition beside the old one while both flow.
 */
export const TOPICS = {
  authUsers: 'auth.users',
  usersRelations: 'users.relations',
  forumPanels: 'forum.panels',
  forumPosts: 'forum.posts',
  comments: 'comments.comments',
  pictures: 'pictures.pictures',
} as const;

const id = z.string().min(1);
const timestamp = z.iso.datetime({ offset: true });

// auth.users — keyed by user id
export const userRegistered = defineEvent({
  topic: TOPICS.authUsers,
  type: 'user.registered',
  version: '1.0',
  source: 'auth',
  data: z.object({ userId: id, handle: z.string().min(1), displayName: z.string() }),
});

// users.relations — keyed by the acting user's id
const relation = z.object({ actorId: id, targetId: id });
const relationEvent = <T extends string>(type: T) =>
  defineEvent({ topic: TOPICS.usersRelations, type, version: '1.0', source: 'users', data: relation });
export const userFollowed = relationEvent('user.followed');
export const userUnfollowed = relationEvent('user.unfollowed');
export const userBlocked = relationEvent('user.blocked');
export const userUnblocked = relationEvent('user.unblocked');

// forum.panels — keyed by panel id
export const panelCreated = defineEvent({
  topic: TOPICS.forumPanels,
  type: 'panel.created',
  version: '1.0',
  source: 'forum',
  data: z.object({
    id,
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    createdAt: timestamp,
    createdBy: id.nullable(),
  }),
});

// forum.posts — keyed by post id; each carries the post as it is after the write
const post = z.object({
  id,
  panelId: id,
  authorId: id,
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const postEvent = <T extends string>(type: T) =>
  defineEvent({ topic: TOPICS.forumPosts, type, version: '1.0', source: 'forum', data: post });
export const postCreated = postEvent('post.created');
export const postUpdated = postEvent('post.updated');
export const postDeleted = postEvent('post.deleted');

// comments.comments — keyed by comment id; the comment as it is after the write
const comment = z.object({
  id,
  postId: id,
  authorId: id,
  parentId: id.nullable(),
  body: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const commentEvent = <T extends string>(type: T) =>
  defineEvent({ topic: TOPICS.comments, type, version: '1.0', source: 'comments', data: comment });
export const commentCreated = commentEvent('comment.created');
export const commentUpdated = commentEvent('comment.updated');
export const commentDeleted = commentEvent('comment.deleted');

// pictures.pictures — keyed by picture id
export const pictureStatus = z.enum(['PROCESSING', 'READY', 'FAILED']);
const picture = z.object({
  id,
  ownerId: id,
  title: z.string(),
  tags: z.array(z.string()),
  contentType: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  byteSize: z.number().int(),
  status: pictureStatus,
  createdAt: timestamp,
});
const pictureEvent = <T extends string>(type: T) =>
  defineEvent({ topic: TOPICS.pictures, type, version: '1.0', source: 'pictures', data: picture });
export const pictureUploaded = pictureEvent('picture.uploaded');
export const pictureProcessedEvent = pictureEvent('picture.processed');
export const pictureDeleted = pictureEvent('picture.deleted');

// RabbitMQ `realtime` notices
export const pictureProcessedNotice = defineNotice({
  routingKey: 'picture.processed',
  data: z.object({ pictureId: id, ownerId: id, status: pictureStatus }),
});

/** Every event definition, for lookups by (topic, type) and the composition check. */
export const EVENTS = [
  userRegistered,
  userFollowed,
  userUnfollowed,
  userBlocked,
  userUnblocked,
  panelCreated,
  postCreated,
  postUpdated,
  postDeleted,
  commentCreated,
  commentUpdated,
  commentDeleted,
  pictureUploaded,
  pictureProcessedEvent,
  pictureDeleted,
  ...PROFILE_EVENTS,
  ...NOTIFICATIONS_EVENTS,
  ...GATEWAY_EVENTS,
  ...ANALYTICS_EVENTS,
] as const;

export const NOTICES = [pictureProcessedNotice] as const;
