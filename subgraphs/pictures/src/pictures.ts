import { randomUUID } from 'node:crypto';
import type { BlobStore } from '@agora/kit/blobs/port';
import { badInput, notFound } from '@agora/kit/errors';
import type { JobQueue } from '@agora/kit/jobs/port';
import type { Logger } from '@agora/kit/log';
import { requireOwnerOrAdmin, requireViewer, type Viewer } from '@agora/kit/viewer';
import { checkDimensions, newUpload, type UploadInput } from './domain/picture';
import { enqueueThumbnail } from './jobs/thumbnails';
import { contentHash, probeImage } from './media/images';
import { blobKey } from './media/paths';
import type { PictureRecord, PictureStore } from './store/pictures';

/**
 * The pictures use cases that span the database, the blob store and the job queue. The
 * order of writes keeps nothing half-written: a refused upload writes nothing; the
 * original's blob is removed again if its row cannot be written; a deleted row's blobs go
 * after the commit (a failure there leaves an unreachable file, logged, never a broken row).
 */
export class Pictures {
  constructor(
    private readonly store: PictureStore,
    private readonly blobs: BlobStore,
    private readonly jobs: JobQueue,
    private readonly log: Logger,
    /** Told when a job could not be enqueued, so the sweeper retries soon (see sweeper.ts). */
    private readonly enqueueFailed: () => void = () => undefined,
  ) {}

  async upload(viewer: Viewer | null, input: UploadInput): Promise<PictureRecord> {
    const owner = requireViewer(viewer);
    const upload = newUpload(input);
    const image = await probeImage(upload.bytes);
    if (image.contentType !== upload.contentType) {
      throw badInput(`The data does not decode as ${upload.contentType}`, 'dataBase64');
    }
    checkDimensions(image.width, image.height);

    const id = randomUUID();
    await this.blobs.put(blobKey(id, 'original'), upload.bytes);
    let picture: PictureRecord;
    try {
      picture = await this.store.create({
        id,
        ownerId: owner.id,
        title: upload.title,
        tags: upload.tags,
        contentType: upload.contentType,
        width: image.width,
        height: image.height,
        byteSize: upload.bytes.length,
        sha256: contentHash(upload.bytes),
      });
    } catch (error) {
      await this.removeBlobs(id);
      throw error;
    }
    // After the commit, bounded in time (the job queue fails fast while its broker is away):
    // the upload answers either way, and the sweeper enqueues a job that did not go out as
    // soon as the broker is back.
    await enqueueThumbnail(this.jobs, id).catch(async (error: unknown) => {
      this.log.warn(
        { err: { message: (error as Error).message }, pictureId: id },
        'thumbnail job not enqueued; the sweeper will retry',
      );
      await this.store.markUnqueued([id]).catch(() => undefined);
      this.enqueueFailed();
    });
    return picture;
  }

  async delete(viewer: Viewer | null, id: string): Promise<true> {
    const actor = requireViewer(viewer);
    const picture = await this.store.byId(id);
    if (!picture) throw notFound('No such picture');
    requireOwnerOrAdmin(actor, picture.ownerId);
    if (!(await this.store.delete(id, actor.id))) throw notFound('No such picture');
    await this.removeBlobs(id);
    return true;
  }

  private async removeBlobs(id: string): Promise<void> {
    for (const kind of ['original', 'thumbnail'] as const) {
      await this.blobs.delete(blobKey(id, kind)).catch((error: unknown) => {
        this.log.error({ err: error, pictureId: id, kind }, 'blob not deleted; it is now an orphan');
      });
    }
  }
}
