import {
  TOPICS as CATALOGUE,
  PROFILE_TOPICS,
  userBlocked,
  userFollowed,
  userProfileUpdated,
  userUnblocked,
  userUnfollowed,
} from '@agora/contracts/events';
import type { ProfileRecord } from '../store/profiles';

/** Kafka topics users publishes: relations keyed by the acting user's id, profiles by the user's. */
export const TOPICS = { relations: CATALOGUE.usersRelations, profiles: PROFILE_TOPICS.usersProfiles } as const;

/** user.profile-updated: the profile as it is after its owner's edit. */
export const profileUpdated = (profile: ProfileRecord) =>
  userProfileUpdated.build({
    subject: profile.id,
    actorId: profile.id,
    data: {
      userId: profile.id,
      handle: profile.handle,
      displayName: profile.displayName,
      bio: profile.bio,
      createdAt: profile.createdAt.toISOString(),
      updatedAt: new Date().toISOString(),
    },
  });

const RELATION_EVENTS = {
  'user.followed': userFollowed,
  'user.unfollowed': userUnfollowed,
  'user.blocked': userBlocked,
  'user.unblocked': userUnblocked,
} as const;

export type RelationEventType = keyof typeof RELATION_EVENTS;

export const relationEvent = (type: RelationEventType, actorId: string, targetId: string) =>
  RELATION_EVENTS[type].build({ subject: actorId, actorId, data: { actorId, targetId } });
