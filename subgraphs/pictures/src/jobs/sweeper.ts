import type { JobQueue } from '@agora/kit/jobs/port';
import type { Logger } from '@agora/kit/log';
import type { PictureStore } from '../store/pictures';
import { enqueueThumbnail } from './thumbnails';

export interface SweeperOptions {
  store: PictureStore;
  jobs: JobQueue;
  log: Logger;
  intervalMs: number;
  /** A picture still PROCESSING this long after its job was enqueued gets a new job. */
  staleAfterMs: number;
}

const BATCH = 100;
/** While jobs are waiting for the broker to come back, sweeps run this often. */
const RETRY_INTERVAL_MS = 1_000;

/**
 * The job queue is not part of the database transaction: a job is enqueued after the
 * commit, and that can fail (broker down), or an in-process queue can lose its jobs on a
 * restart. The sweeper re-enqueues jobs for pictures stuck in PROCESSING; the worker skips
 * duplicates, so an extra job is harmless.
 */
export function startSweeper(options: SweeperOptions): { stop(): Promise<void>; soon(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  /** Set while some job could not be enqueued: sweep every second until they all went out. */
  let retrying = false;
  let warned = false;
  const sweep = async () => {
    let ids: string[] = [];
    let sent = 0;
    try {
      ids = await options.store.claimStale(options.staleAfterMs, BATCH);
      for (const id of ids) {
        await enqueueThumbnail(options.jobs, id);
        sent += 1;
      }
      if (ids.length > 0) options.log.info({ count: ids.length }, 're-enqueued stale thumbnail jobs');
      retrying = ids.length === BATCH;
      warned = false;
    } catch (error) {
      // Claimed but not sent: leave them for the next sweep, which comes soon.
      await options.store.markUnqueued(ids.slice(sent)).catch(() => undefined);
      retrying = true;
      if (!warned)
        options.log.warn(
          { err: { message: (error as Error).message } },
          'thumbnail sweep failed; retrying every second',
        );
      warned = true;
    }
  };
  const retryMs = Math.min(RETRY_INTERVAL_MS, options.intervalMs);
  const schedule = (delayMs = retrying ? retryMs : options.intervalMs) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = sweep().finally(() => {
        running = undefined;
        schedule();
      });
    }, delayMs);
    timer.unref();
  };
  schedule();
  return {
    /** A job just failed to go out: sweep every second until it does. */
    soon: () => {
      retrying = true;
      if (!running) schedule(retryMs);
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
