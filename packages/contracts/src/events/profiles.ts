import { z } from 'zod';
import { defineEvent } from './define';

/** The users service's profile topic: keyed by user id, each event the profile after the write. */
export const PROFILE_TOPICS = { usersProfiles: 'users.profiles' } as const;

/**
 * `user.profile-updated`: a profile as it is after its owner edited it (display name, bio).
 * Read models that show people (search) keep their copy from it; the handle never changes
 * but travels along so a consumer can build the whole profile from this one event.
 */
export const userProfileUpdated = defineEvent({
  topic: PROFILE_TOPICS.usersProfiles,
  type: 'user.profile-updated',
  version: '1.0',
  source: 'users',
  data: z.object({
    userId: z.string().min(1),
    handle: z.string().min(1),
    displayName: z.string(),
    bio: z.string(),
    /** When the account was registered (auth's user.registered time). */
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
  }),
});

export const PROFILE_EVENTS = [userProfileUpdated] as const;
