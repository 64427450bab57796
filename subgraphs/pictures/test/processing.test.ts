import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobStore } from '@agora/kit/blobs/port';
import { MemoryEventLog } from '@agora/kit/events/memory';
import { embeddedInfra } from '@agora/kit/infra';
import { MemoryJobQueue } from '@agora/kit/jobs/memory';
import { createLogger } from '@agora/kit/log';
import { MemoryNotices } from '@agora/kit/notices/memory';
import { waitFor } from '@agora/kit/testing';
import type { PicturesSettings } from '../src/config';
import { startThumbnailWorker, THUMBNAIL_QUEUE } from '../src/jobs/thumbnails';
import { Pictures } from '../src/pictures';
import { openResources } from '../src/resources';
import { solidImage } from './images';
import { startTestPictures, userViewer, type TestPictures } from './harness';

const SETTINGS: PicturesSettings = {
  worker: 'off',
  workerConcurrency: 1,
  sweepIntervalMs: 60_000,
  staleJobMs: 60_000,
  testHoldMs: 0,
};

/** The first `failures` enqueues fail, as a broker outage right after a commit. */
class FlakyJobQueue extends MemoryJobQueue {
  constructor(private failures: number) {
    super();
  }
  override enqueue<P>(queue: string, payload: P, options?: { id?: string }): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('broker unreachable'));
    }
    return super.enqueue(queue, payload, options);
  }
}

describe('thumbnail processing', () => {
  const viewer = userViewer();
  let t: TestPictures | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const upload = async (pictures: TestPictures) => {
    const res = await pictures.upload(viewer, {
      title: 'Pending',
      dataBase64: (await solidImage(64, 48)).toString('base64'),
      contentType: 'image/png',
    });
    expect(res.errors).toBeUndefined();
    return res.data!.uploadPicture;
  };

  it('answers 409 for a thumbnail still PROCESSING, while the original is served', async () => {
    t = await startTestPictures({ worker: 'off' });
    const picture = await upload(t);
    expect(picture).toMatchObject({ status: 'PROCESSING', thumbnailUrl: null });
    const thumbnail = await t.media(`/media/pictures/${picture.id}/thumbnail`);
    expect(thumbnail.status).toBe(409);
    expect(thumbnail.headers.get('cache-control')).toBe('no-store');
    expect((await t.media(picture.url)).status).toBe(200);
  });

  it('re-enqueues the job of a picture whose enqueue failed after the commit (sweeper)', async () => {
    const jobs = new FlakyJobQueue(1);
    t = await startTestPictures({ sweepIntervalMs: 50, staleJobMs: 200 }, { ...embeddedInfra(), jobs });
    const picture = await upload(t); // the upload itself succeeds: its row is committed
    expect(picture.status).toBe('PROCESSING');
    await waitFor('READY through the sweeper', async () => (await t!.picture(picture.id))?.status === 'READY');
  });

  it('removes the thumbnail of a picture deleted while the thumbnail was being made', async () => {
    const blobDir = mkdtempSync(join(tmpdir(), 'agora-race-blobs-'));
    const log = createLogger('pictures-test');
    const resources = await openResources({ events: new MemoryEventLog(), log }, { ...SETTINGS, blobDir });
    const jobs = new MemoryJobQueue();
    const pictures = new Pictures(resources.store, resources.blobs, jobs, log);
    // The worst moment: the delete lands just before the worker stores the thumbnail.
    const blobs: BlobStore = Object.create(resources.blobs) as BlobStore;
    blobs.put = async (key, data) => {
      if (key.endsWith('/thumbnail')) await pictures.delete(viewer, key.split('/')[1]!);
      return resources.blobs.put(key, data);
    };
    const worker = await startThumbnailWorker({
      ...resources,
      blobs,
      jobs,
      notices: new MemoryNotices(),
      log,
      concurrency: 1,
    });
    try {
      const input = {
        title: 'Racing',
        dataBase64: (await solidImage(64, 48)).toString('base64'),
        contentType: 'image/png',
      };
      const picture = await pictures.upload(viewer, input);
      await waitFor('the picture gone', async () => (await resources.store.byId(picture.id)) === null);
      await waitFor('no blob left', () => readdirSync(blobDir, { recursive: true }).length === 0);
      expect(await jobs.takeDeadLetters(THUMBNAIL_QUEUE)).toEqual([]);
    } finally {
      await worker.stop();
      await jobs.close();
      await resources.close();
    }
  });
});
