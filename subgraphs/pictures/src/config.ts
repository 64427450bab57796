import { z } from 'zod';
import { commonEnv, loadConfig, port } from '@agora/kit/config';

/** The standalone worker's env (src/worker.ts): it opens the subgraph's database, so DATABASE_URL is required. */
export const workerEnvSchema = z.object({
  DATA_DIR: commonEnv.DATA_DIR,
  HOST: commonEnv.HOST,
  DATABASE_URL: z.string().url(),
  /** The worker's /healthz, /readyz and /metrics (0: any free port). */
  PORT: port(0),
});

/** The pictures service's own settings, from the environment (every one has a default). */
export interface PicturesSettings {
  /** Folder of the filesystem blob store; default `<DATA_DIR>/blobs` (a temp folder when data is in memory). */
  blobDir?: string;
  /** `inline` runs the thumbnail worker in the subgraph process; `off` leaves it to `src/worker.ts`. */
  worker: 'inline' | 'off';
  /** Thumbnails a worker makes at once. */
  workerConcurrency: number;
  /** How often the sweeper looks for pictures whose thumbnail job was lost. */
  sweepIntervalMs: number;
  /** A picture still PROCESSING this long after its job was enqueued gets a new job. */
  staleJobMs: number;
  /** Tests only (0 = off): each thumbnail job holds this long once started, so a test can kill a worker mid-job. */
  testHoldMs: number;
}

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/**
 * BLOB_DIR, PICTURES_WORKER (inline|off), PICTURES_WORKER_CONCURRENCY,
 * PICTURES_SWEEP_INTERVAL_MS, PICTURES_STALE_JOB_MS, PICTURES_TEST_HOLD_JOB_MS.
 */
export function picturesSettings(env: NodeJS.ProcessEnv = process.env): PicturesSettings {
  const config = loadConfig(
    z.object({
      BLOB_DIR: z.string().min(1).optional(),
      PICTURES_WORKER: z.enum(['inline', 'off']).default('inline'),
      PICTURES_WORKER_CONCURRENCY: int(1, 2),
      PICTURES_SWEEP_INTERVAL_MS: int(10, 15_000),
      PICTURES_STALE_JOB_MS: int(0, 60_000),
      PICTURES_TEST_HOLD_JOB_MS: int(0, 0),
    }),
    env,
  );
  return {
    blobDir: config.BLOB_DIR,
    worker: config.PICTURES_WORKER,
    workerConcurrency: config.PICTURES_WORKER_CONCURRENCY,
    sweepIntervalMs: config.PICTURES_SWEEP_INTERVAL_MS,
    staleJobMs: config.PICTURES_STALE_JOB_MS,
    testHoldMs: config.PICTURES_TEST_HOLD_JOB_MS,
  };
}
