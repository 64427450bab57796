import { newEvent } from '@agora/kit/events/port';
import type { PanelRecord } from '../store/panels';

/** Kafka topics the forum publishes (DESIGN.md), keyed by the entity id. */
export const TOPICS = { panels: 'forum.panels', posts: 'forum.posts' } as const;

const SOURCE = 'forum';

export const panelCreated = (panel: PanelRecord, actorId?: string) =>
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
    },
  });
