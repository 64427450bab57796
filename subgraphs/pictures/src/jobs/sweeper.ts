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

/**
 * The job queue is not part of the database transaction: a job is enqueued after the
 * commit, and that can fail (broker down), or an in-process queue can lose its jobs on a
 * restart. The sweeper re-enqueues jobs for pictures stuck in PROCESSING; the worker skips
 * duplicates, so an extra job is harmless.
 */
export function startSweeper(options: SweeperOptions): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const sweep = async () => {
    try {
      const ids = await options.store.claimStale(options.staleAfterMs, BATCH);
      for (const id of ids) await enqueueThumbnail(options.jobs, id);
      if (ids.length > 0) options.log.info({ count: ids.length }, 're-enqueued stale thumbnail jobs');
    } catch (error) {
      options.log.warn({ err: error }, 'thumbnail sweep failed; will retry');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
