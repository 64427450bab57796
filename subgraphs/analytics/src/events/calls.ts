import { apiCallRecorded } from '@agora/contracts/events';
import { consume, on } from '@agora/kit/events/consume';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { callFromEvent } from '../domain/calls';
import type { ApiCallStore } from '../store/calls';
import type { RollupStore } from '../store/rollups';

export const CONSUMER_GROUP = 'analytics';

/**
 * Consumes `gateway.requests` into the raw calls and marks their minutes for roll-up.
 * Idempotent: a call is stored under its record id (a redelivery rewrites the same
 * document) and roll-ups recount a minute from its calls. Calls older than the raw retention
 * are not kept (they would be swept at once, and their minutes could not be recounted).
 */
export function consumeCalls(
  events: EventLog,
  stores: { calls: ApiCallStore; rollups: RollupStore },
  options: { log: Logger; rawRetentionDays: number },
): Promise<Consumer> {
  return consume(events, {
    group: CONSUMER_GROUP,
    fromBeginning: true,
    log: options.log,
    handlers: [
      on(apiCallRecorded, async (data) => {
        const call = callFromEvent(data);
        if (call.at.getTime() < Date.now() - options.rawRetentionDays * 86_400_000) return;
        await stores.calls.save([call]);
        await stores.rollups.markDirty([call.minute]);
      }),
    ],
  });
}
