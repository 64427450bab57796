import type { Logger } from '@agora/kit/log';
import type { ApiCallStore } from '../store/calls';
import type { RollupStore } from '../store/rollups';

const DAY_MS = 86_400_000;

/**
 * Deletes raw calls and rollups past their retention, at start and every `intervalMs`:
 * what deletes them on servers without TTL indexes (FerretDB, the embedded store), and a
 * no-op where the TTL indexes already did.
 */
export function startRetention(options: {
  calls: ApiCallStore;
  rollups: RollupStore;
  rawRetentionDays: number;
  rollupRetentionDays: number;
  intervalMs: number;
  log: Logger;
}): { stop(): Promise<void>; sweep(now?: Date): Promise<void> } {
  let running: Promise<void> | undefined;
  const sweep = (now = new Date()) =>
    (running ??= (async () => {
      try {
        const calls = await options.calls.sweep(new Date(now.getTime() - options.rawRetentionDays * DAY_MS));
        const rollups = await options.rollups.sweep(new Date(now.getTime() - options.rollupRetentionDays * DAY_MS));
        if (calls + rollups > 0) options.log.info({ calls, rollups }, 'swept expired API calls and rollups');
      } catch (error) {
        options.log.warn({ err: error }, 'retention sweep failed; will retry');
      } finally {
        running = undefined;
      }
    })());
  void sweep();
  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();
  return {
    sweep,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
