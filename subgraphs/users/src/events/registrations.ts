import type { DataSource } from 'typeorm';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import { consumeOnce } from '@agora/kit/outbox';
import type { ProfileStore } from '../store/profiles';

/** auth.users `user.registered` (DESIGN.md's contract). */
interface UserRegistered {
  userId: string;
  handle: string;
  displayName: string;
}

/**
 * Creates the profile of every registered account. The consumer group starts at the
 * beginning of auth.users and each event is applied once, so every account gets its
 * profile, however late or often the event arrives.
 */
export function consumeRegistrations(db: DataSource, events: EventLog, profiles: ProfileStore): Promise<Consumer> {
  return events.subscribe({
    group: 'users',
    topics: ['auth.users'],
    fromBeginning: true,
    handle: async (event) => {
      if (event.type !== 'user.registered') return;
      const data = event.data as UserRegistered;
      await consumeOnce(db, 'users.registrations', event, (tx) =>
        profiles.createRegistered(tx, {
          id: data.userId,
          handle: data.handle,
          displayName: data.displayName,
          registeredAt: event.occurredAt,
        }),
      );
    },
  });
}
