import {
  TOPICS as CATALOGUE,
  panelCreated as panelCreatedEvent,
  postCreated,
  postDeleted,
  postUpdated,
} from '@agora/contracts/events';
import type { PanelRecord } from '../store/panels';
import type { PostRecord } from '../store/posts';

/** Kafka topics the forum publishes (DESIGN.md), keyed by the entity id. */
export const TOPICS = { panels: CATALOGUE.forumPanels, posts: CATALOGUE.forumPosts } as const;

export const panelCreated = (panel: PanelRecord, actorId: string) =>
  panelCreatedEvent.build({
    subject: panel.id,
    actorId,
    data: {
      id: panel.id,
      slug: panel.slug,
      name: panel.name,
      description: panel.description,
      createdAt: panel.createdAt.toISOString(),
      createdBy: panel.createdBy,
    },
  });

const POST_EVENTS = { 'post.created': postCreated, 'post.updated': postUpdated, 'post.deleted': postDeleted } as const;

export type PostEventType = keyof typeof POST_EVENTS;

/** post.created / post.updated / post.deleted: the post as it is after the write. */
export const postEvent = (type: PostEventType, post: PostRecord, actorId: string) =>
  POST_EVENTS[type].build({
    subject: post.id,
    actorId,
    data: {
      id: post.id,
      panelId: post.panelId,
      authorId: post.authorId,
      title: post.title,
      body: post.body,
      tags: post.tags,
      createdAt: post.createdAt.toISOString(),
      updatedAt: post.updatedAt.toISOString(),
    },
  });
