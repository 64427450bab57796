import { TOPICS as CATALOGUE, userRegistered as registered } from '@agora/contracts/events';

/** Kafka topics auth publishes (DESIGN.md), keyed by the user id. */
export const TOPICS = { users: CATALOGUE.authUsers } as const;

export const userRegistered = (account: { userId: string; handle: string; displayName: string }) =>
  registered.build({ subject: account.userId, actorId: account.userId, data: account });
