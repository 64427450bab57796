import type { DataSource } from 'typeorm';
import { userRegistered } from '@agora/contracts/events';
import { consume, on } from '@agora/kit/events/consume';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { consumeOnce } from '@agora/kit/outbox';
import type { ProfileStore } from '../store/profiles';

const GROUP = 'users';

/**
 * Creates the profile of every registered account. The consumer group starts at the
 * beginning of auth.users and each event is applied once, so every account gets its
 * profile, however late or often the event arrives.
 */
export function consumeRegistrations(
  db: DataSource,
  events: EventLog,
  profiles: ProfileStore,
  log: Logger,
): Promise<Consumer> {
  return consume(events, {
    group: GROUP,
    fromBeginning: true,
    log,
    handlers: [
      on(userRegistered, async (data, event) => {
        await consumeOnce(db, 'users.registrations', event, (tx) =>
          profiles.createRegistered(tx, {
            id: data.userId,
            handle: data.handle,
            displayName: data.displayName,
            registeredAt: event.occurredAt,
          }),
        );
      }),
    ],
  });
}
