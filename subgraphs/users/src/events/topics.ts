import { newEvent } from '@agora/kit/events/port';

/** Kafka topics users publishes (DESIGN.md), keyed by the acting user's id. */
export const TOPICS = { relations: 'users.relations' } as const;

export type RelationEventType = 'user.followed' | 'user.unfollowed' | 'user.blocked' | 'user.unblocked';

export const relationEvent = (type: RelationEventType, actorId: string, targetId: string) =>
  newEvent({ type, source: 'users', subject: actorId, actorId, data: { actorId, targetId } });
