import { apiUsageUpdated, type EventEnvelope } from '@agora/contracts/events';
import type { EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { bucketId, bucketStart, INTERVALS } from '../domain/intervals';
import type { RollupStore } from '../store/rollups';

/** Roll-up rounds in one tick at most: a backlog is worked off over several ticks. */
const MAX_ROUNDS_PER_TICK = 20;

/**
 * Rolls dirty minutes up every `intervalMs` and announces each bucket (of every interval)
 * that changed on `analytics.usage`, which the gateway pushes as `apiUsageUpdated`. An
 * announcement that cannot be published is logged and skipped: the rollup itself is stored,
 * so only that live update is lost.
 */
export function startRoller(options: { rollups: RollupStore; events: EventLog; log: Logger; intervalMs: number }): {
  stop(): Promise<void>;
  tick(): Promise<number>;
} {
  const { rollups, events, log } = options;
  let running: Promise<number> | undefined;
  let stopped = false;

  const round = async (): Promise<number> => {
    let rolled = 0;
    for (let i = 0; i < MAX_ROUNDS_PER_TICK && !stopped; i++) {
      const minutes = await rollups.rollUp();
      if (minutes.length === 0) break;
      rolled += minutes.length;
      await announce(minutes);
    }
    return rolled;
  };

  const announce = async (minutes: Date[]) => {
    const buckets = new Map<string, EventEnvelope>();
    for (const minute of minutes) {
      for (const interval of INTERVALS) {
        const at = bucketStart(minute, interval);
        const id = bucketId(interval, at);
        if (!buckets.has(id)) {
          buckets.set(id, apiUsageUpdated.build({ subject: id, data: { id, interval, at: at.toISOString() } }));
        }
      }
    }
    try {
      await events.publish(apiUsageUpdated.topic, [...buckets.values()]);
    } catch (error) {
      log.warn({ err: error, buckets: buckets.size }, 'could not announce usage updates');
    }
  };

  const tick = (): Promise<number> => {
    running ??= round()
      .catch((error: unknown) => {
        log.warn({ err: error }, 'roll-up failed; will retry');
        return 0;
      })
      .finally(() => (running = undefined));
    return running;
  };

  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return {
    tick,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
