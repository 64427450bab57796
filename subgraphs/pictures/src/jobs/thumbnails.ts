import { setTimeout as delay } from 'node:timers/promises';
import type { BlobStore } from '@agora/kit/blobs/port';
import { isUuid } from '@agora/kit/ids';
import type { Job, JobQueue, Worker } from '@agora/kit/jobs/port';
import type { Logger } from '@agora/kit/log';
import type { Notices } from '@agora/kit/notices/port';
import { PICTURE_PROCESSED, pictureProcessedData } from '../events/topics';
import { contentHash, makeThumbnail } from '../media/images';
import { blobKey } from '../media/paths';
import type { PictureRecord, PictureStore } from '../store/pictures';

/** The RabbitMQ queue of thumbnail jobs (DESIGN.md). */
export const THUMBNAIL_QUEUE = 'pictures.thumbnails';
/** Deliveries of a job before it is dead-lettered and its picture marked FAILED. */
export const THUMBNAIL_ATTEMPTS = 3;
/** First retry delay (then doubled): long enough for a blob store or database hiccup to pass. */
const THUMBNAIL_BACKOFF_MS = 500;

export interface ThumbnailJob {
  pictureId: string;
}

export const enqueueThumbnail = (jobs: JobQueue, pictureId: string) =>
  jobs.enqueue<ThumbnailJob>(THUMBNAIL_QUEUE, { pictureId });

export interface ThumbnailWorkerOptions {
  store: PictureStore;
  blobs: BlobStore;
  jobs: JobQueue;
  notices: Notices;
  log: Logger;
  concurrency: number;
  /** Tests only: how long each job holds once started, so a test can kill a worker mid-job. */
  testHoldMs?: number;
}

/**
 * Consumes thumbnail jobs: makes a WebP thumbnail of the original, stores it, and marks
 * the picture READY (picture.processed event through the outbox + a realtime notice).
 * A job whose image does not decode fails each attempt; on the last one the picture is
 * marked FAILED and the queue dead-letters the job. Idempotent: a job for a picture that
 * is gone or no longer PROCESSING (a redelivery, a sweeper's duplicate) is acknowledged
 * and skipped.
 */
export function startThumbnailWorker(options: ThumbnailWorkerOptions): Promise<Worker> {
  return options.jobs.work<ThumbnailJob>(THUMBNAIL_QUEUE, (job) => handleJob(options, job), {
    maxAttempts: THUMBNAIL_ATTEMPTS,
    concurrency: options.concurrency,
    backoffMs: THUMBNAIL_BACKOFF_MS,
  });
}

async function handleJob(options: ThumbnailWorkerOptions, job: Job<ThumbnailJob>): Promise<void> {
  const { store, log: parentLog } = options;
  const pictureId = job.payload?.pictureId;
  if (typeof pictureId !== 'string' || !isUuid(pictureId)) throw new Error('Malformed thumbnail job');
  const log = parentLog.child({ pictureId, jobId: job.id, attempt: job.attempt });
  const picture = await store.byId(pictureId);
  if (!picture || picture.status !== 'PROCESSING') {
    log.debug({ status: picture?.status ?? 'deleted' }, 'thumbnail job skipped');
    return;
  }
  log.info('thumbnail job started');
  try {
    if (options.testHoldMs) await delay(options.testHoldMs);
    await makeAndStore(options, picture, log);
  } catch (error) {
    if (job.attempt >= THUMBNAIL_ATTEMPTS) {
      log.warn({ err: error }, 'thumbnail failed for good: picture FAILED, job dead-lettered');
      const failed = await store.finish(pictureId, { status: 'FAILED' });
      if (failed) await notify(options, failed);
    }
    throw error;
  }
}

async function makeAndStore(options: ThumbnailWorkerOptions, picture: PictureRecord, log: Logger): Promise<void> {
  const { store, blobs } = options;
  const original = await blobs.get(blobKey(picture.id, 'original'));
  if (!original) throw new Error('The original is missing from the blob store');
  const thumbnail = await makeThumbnail(original);
  await blobs.put(blobKey(picture.id, 'thumbnail'), thumbnail.data);
  const ready = await store.finish(picture.id, {
    status: 'READY',
    thumbnailSha256: contentHash(thumbnail.data),
    thumbnailByteSize: thumbnail.data.length,
  });
  if (ready) {
    log.info({ width: thumbnail.width, height: thumbnail.height }, 'thumbnail ready');
    await notify(options, ready);
  } else if (!(await store.byId(picture.id))) {
    // Deleted while the thumbnail was being made: its blob would be an orphan.
    await blobs.delete(blobKey(picture.id, 'thumbnail'));
  }
}

/** Notices are fire-and-forget: the outbox event already records the outcome reliably. */
async function notify(options: ThumbnailWorkerOptions, picture: PictureRecord): Promise<void> {
  await options.notices.publish(PICTURE_PROCESSED, pictureProcessedData(picture)).catch((error: unknown) => {
    options.log.warn({ err: error, pictureId: picture.id }, 'picture.processed notice not sent');
  });
}
