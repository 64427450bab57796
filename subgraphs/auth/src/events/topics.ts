import { newEvent } from '@agora/kit/events/port';

/** Kafka topics auth publishes (DESIGN.md), keyed by the user id. */
export const TOPICS = { users: 'auth.users' } as const;

export const userRegistered = (account: { userId: string; handle: string; displayName: string }) =>
  newEvent({
    type: 'user.registered',
    source: 'auth',
    subject: account.userId,
    actorId: account.userId,
    data: { userId: account.userId, handle: account.handle, displayName: account.displayName },
  });
