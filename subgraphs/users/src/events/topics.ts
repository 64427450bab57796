import { TOPICS as CATALOGUE, userBlocked, userFollowed, userUnblocked, userUnfollowed } from '@agora/contracts/events';

/** Kafka topics users publishes (DESIGN.md), keyed by the acting user's id. */
export const TOPICS = { relations: CATALOGUE.usersRelations } as const;

const RELATION_EVENTS = {
  'user.followed': userFollowed,
  'user.unfollowed': userUnfollowed,
  'user.blocked': userBlocked,
  'user.unblocked': userUnblocked,
} as const;

export type RelationEventType = keyof typeof RELATION_EVENTS;

export const relationEvent = (type: RelationEventType, actorId: string, targetId: string) =>
  RELATION_EVENTS[type].build({ subject: actorId, actorId, data: { actorId, targetId } });
