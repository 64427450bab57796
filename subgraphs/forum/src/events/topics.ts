import { newEvent } from '@agora/kit/events/port';
import type { PanelRecord } from '../store/panels';
import type { PostRecord } from '../store/posts';

/** Kafka topics the forum publishes (DESIGN.md), keyed by the entity id. */
export const TOPICS = { panels: 'forum.panels', posts: 'forum.posts' } as const;

const SOURCE = 'forum';

export const panelCreated = (panel: PanelRecord, actorId: string) =>
  newEvent({
    type: 'panel.created',
    source: SOURCE,
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

export type PostEventType = 'post.created' | 'post.updated' | 'post.deleted';

/** post.created / post.updated / post.deleted: the post as it is after the write. */
export const postEvent = (type: PostEventType, post: PostRecord, actorId: string) =>
  newEvent({
    type,
    source: SOURCE,
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
