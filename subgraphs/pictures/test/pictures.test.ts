import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { EventEnvelope } from '@agora/kit/events/port';
import { embeddedInfra } from '@agora/kit/infra';
import { MemoryJobQueue } from '@agora/kit/jobs/memory';
import type { Job, Worker, WorkerOptions } from '@agora/kit/jobs/port';
import type { Notice } from '@agora/kit/notices/port';
import { waitFor, codes } from '@agora/kit/testing';
import type { Viewer } from '@agora/kit/viewer';
import { MAX_BASE64_LENGTH } from '../src/domain/picture';
import { THUMBNAIL_QUEUE } from '../src/jobs/thumbnails';
import { picturesService } from '../src/service';
import { PictureStore } from '../src/store/pictures';
import { corruptPng, decompressionBomb, solidImage } from './images';
import { PICTURE_FIELDS, startTestPictures, userViewer, type PictureJson, type TestPictures } from './harness';

const b64 = (bytes: Buffer) => bytes.toString('base64');

/** The embedded job queue, recording each job a worker has finished with: acknowledged or failed. */
class RecordingJobQueue extends MemoryJobQueue {
  readonly finished: { id: string; attempt: number; outcome: 'acked' | 'failed' }[] = [];
  override work<P>(queue: string, handle: (job: Job<P>) => Promise<void>, options?: WorkerOptions): Promise<Worker> {
    return super.work<P>(
      queue,
      async (job) => {
        try {
          await handle(job);
          this.finished.push({ id: job.id, attempt: job.attempt, outcome: 'acked' });
        } catch (error) {
          this.finished.push({ id: job.id, attempt: job.attempt, outcome: 'failed' });
          throw error;
        }
      },
      options,
    );
  }
}

describe('pictures subgraph', () => {
  let t: TestPictures;
  const events: EventEnvelope[] = [];
  const notices: Notice[] = [];
  const alice = userViewer();
  const bob = userViewer();
  const admin: Viewer = { ...userViewer(), roles: ['user', 'admin'] };

  const jobs = new RecordingJobQueue();

  beforeAll(async () => {
    t = await startTestPictures({}, { ...embeddedInfra(), jobs });
    await t.infra.events.subscribe({
      group: 'test',
      topics: ['pictures.pictures'],
      fromBeginning: true,
      handle: async (event) => void events.push(event),
    });
    await t.infra.notices.subscribe('picture.#', (notice) => void notices.push(notice));
  });
  afterAll(() => t?.close());

  const uploadPng = async (viewer: Viewer, title = 'A picture', tags: string[] = []) => {
    const res = await t.upload(viewer, {
      title,
      tags,
      dataBase64: b64(await solidImage(40, 30)),
      contentType: 'image/png',
    });
    expect(res.errors).toBeUndefined();
    return res.data!.uploadPicture;
  };
  const waitForStatus = async (id: string, status: PictureJson['status']): Promise<PictureJson> =>
    (await waitFor(`picture ${id} ${status}`, async () => {
      const picture = await t.picture(id);
      return picture?.status === status ? picture : undefined;
    }))!;

  it('stores a real PNG as PROCESSING, then makes it READY with a 320 px WebP thumbnail', async () => {
    const png = await solidImage(800, 600, 'png');
    const res = await t.upload(alice, {
      title: '  Harbour at dusk ',
      tags: ['Sea', 'dusk', 'sea'],
      dataBase64: b64(png),
      contentType: 'image/png',
    });
    expect(res.errors).toBeUndefined();
    const uploaded = res.data!.uploadPicture;
    expect(uploaded).toMatchObject({
      title: 'Harbour at dusk',
      tags: ['sea', 'dusk'],
      contentType: 'image/png',
      width: 800,
      height: 600,
      byteSize: png.length,
      status: 'PROCESSING',
      url: `/media/pictures/${uploaded.id}/original`,
      thumbnailUrl: null,
      owner: { id: alice.id },
    });

    const ready = await waitForStatus(uploaded.id, 'READY');
    expect(ready.thumbnailUrl).toBe(`/media/pictures/${uploaded.id}/thumbnail`);

    const original = await t.media(ready.url);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(original.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    expect(original.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await original.arrayBuffer()).equals(png)).toBe(true);

    const thumbnail = await t.media(ready.thumbnailUrl!);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 320, height: 240 });

    expect(t.blobFiles()).toEqual(
      expect.arrayContaining([`pictures/${uploaded.id}/original`, `pictures/${uploaded.id}/thumbnail`]),
    );
  });

  it('answers conditional requests with 304 on a matching strong ETag, and HEAD without a body', async () => {
    const { id } = await uploadPng(alice);
    const ready = await waitForStatus(id, 'READY');
    for (const path of [ready.url, ready.thumbnailUrl!]) {
      const first = await t.media(path);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
      const again = await t.media(path, { headers: { 'if-none-match': `"other", ${etag}` } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect((await t.media(path, { headers: { 'if-none-match': `W/${etag}` } })).status).toBe(304);
      expect((await t.media(path, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
      const head = await t.media(path, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(first.headers.get('content-length'));
      expect(await head.text()).toBe('');
    }
  });

  it('reads the type and the displayed size of JPEG (EXIF-rotated), WebP and GIF uploads', async () => {
    const rotated = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#336699' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const cases = [
      { bytes: rotated, contentType: 'image/jpeg', size: [200, 400], thumb: [160, 320] },
      { bytes: await solidImage(100, 50, 'webp'), contentType: 'image/webp', size: [100, 50], thumb: [100, 50] },
      { bytes: await solidImage(30, 60, 'gif'), contentType: 'image/gif', size: [30, 60], thumb: [30, 60] },
    ];
    for (const c of cases) {
      const res = await t.upload(bob, { title: c.contentType, dataBase64: b64(c.bytes), contentType: c.contentType });
      expect(res.errors).toBeUndefined();
      const { id, width, height, contentType } = res.data!.uploadPicture;
      expect({ contentType, size: [width, height] }).toEqual({ contentType: c.contentType, size: c.size });
      const ready = await waitForStatus(id, 'READY');
      expect((await t.media(ready.url)).headers.get('content-type')).toBe(c.contentType);
      const thumb = await sharp(Buffer.from(await (await t.media(ready.thumbnailUrl!)).arrayBuffer())).metadata();
      expect([thumb.width, thumb.height]).toEqual(c.thumb);
    }
  });

  it('refuses bad uploads with BAD_USER_INPUT and leaves no row and no blob', async () => {
    const uploader = userViewer();
    const blobsBefore = t.blobFiles();
    const pngBytes = await solidImage(20, 20);
    const png = b64(pngBytes);
    // 3k+2 bytes encode with one "=" of padding, which the "missing padding" case drops.
    const padded = b64(Buffer.concat([pngBytes, Buffer.alloc((5 - (pngBytes.length % 3)) % 3)]));
    expect(padded).toMatch(/[^=]=$/);
    const oversized = Buffer.concat([await solidImage(20, 20), Buffer.alloc(10 * 1024 * 1024)]);
    const bad: Record<string, unknown>[] = [
      { title: 'text', dataBase64: b64(Buffer.from('just some text, not a picture')), contentType: 'image/png' },
      {
        title: 'svg',
        dataBase64: b64(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')),
        contentType: 'image/png',
      },
      { title: 'bad alphabet', dataBase64: png.slice(0, -4) + '*&^%', contentType: 'image/png' },
      { title: 'missing padding', dataBase64: padded.slice(0, -1), contentType: 'image/png' },
      { title: 'inner padding', dataBase64: `${png.slice(0, 8)}==${png.slice(10)}`, contentType: 'image/png' },
      { title: 'line breaks', dataBase64: png.replace(/(.{76})/g, '$1\n'), contentType: 'image/png' },
      { title: 'data url', dataBase64: `data:image/png;base64,${png}`, contentType: 'image/png' },
      { title: 'oversized', dataBase64: b64(oversized), contentType: 'image/png' },
      { title: 'bomb', dataBase64: b64(decompressionBomb()), contentType: 'image/png' },
      { title: 'mislabelled', dataBase64: png, contentType: 'image/jpeg' },
      { title: 'not ours', dataBase64: png, contentType: 'image/svg+xml' },
      {
        title: 'header only',
        dataBase64: b64(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
        contentType: 'image/png',
      },
      { title: '   ', dataBase64: png, contentType: 'image/png' },
      { title: 'tags', tags: Array.from({ length: 11 }, (_, i) => `t${i}`), dataBase64: png, contentType: 'image/png' },
    ];
    for (const input of bad) {
      const res = await t.upload(uploader, input);
      expect({ title: input.title, codes: codes(res) }).toEqual({ title: input.title, codes: ['BAD_USER_INPUT'] });
      expect(res.data).toBeNull();
    }
    expect(codes(await t.upload(undefined, { title: 'anonymous', dataBase64: png, contentType: 'image/png' }))).toEqual(
      ['UNAUTHENTICATED'],
    );
    const mine = await t.call<{ pictures: { edges: unknown[] } }>(
      'query($owner: ID) { pictures(ownerId: $owner) { edges { cursor } } }',
      { owner: uploader.id },
    );
    expect(mine.data!.pictures.edges).toEqual([]);
    expect(t.blobFiles()).toEqual(blobsBefore);
  });

  it('removes the stored original when the row cannot be written', async () => {
    const blobsBefore = t.blobFiles();
    const create = jest.spyOn(PictureStore.prototype, 'create').mockRejectedValueOnce(new Error('database down'));
    try {
      const res = await t.upload(alice, {
        title: 'lost',
        dataBase64: b64(await solidImage(10, 10)),
        contentType: 'image/png',
      });
      expect(res.errors?.[0]?.message).toBe('Internal server error');
    } finally {
      create.mockRestore();
    }
    expect(t.blobFiles()).toEqual(blobsBefore);
  });

  it('marks a corrupt image FAILED after its retries and dead-letters its job, while other jobs keep flowing', async () => {
    const corrupt = await t.upload(bob, { title: 'broken', dataBase64: b64(corruptPng()), contentType: 'image/png' });
    expect(corrupt.errors).toBeUndefined();
    const { id, width, height, status } = corrupt.data!.uploadPicture;
    expect({ width, height, status }).toEqual({ width: 64, height: 64, status: 'PROCESSING' });
    const good = await Promise.all([1, 2, 3].map((n) => uploadPng(alice, `good ${n}`)));

    for (const picture of good) await waitForStatus(picture.id, 'READY');
    const failed = await waitForStatus(id, 'FAILED');
    expect(failed.thumbnailUrl).toBeNull();
    const letters = (await waitFor('the dead letter', async () => {
      const taken = await t.infra.jobs.takeDeadLetters(THUMBNAIL_QUEUE);
      return taken.length > 0 ? taken : undefined;
    }))!;
    expect(letters).toEqual([expect.objectContaining({ payload: { pictureId: id }, attempt: 3 })]);
    expect(letters[0]!.error).toMatch(/IDAT|zlib|stream/i);

    expect((await t.media(failed.url)).status).toBe(200); // the original is kept
    const thumbnail = await t.media(`/media/pictures/${id}/thumbnail`);
    expect(thumbnail.status).toBe(404);
    expect(thumbnail.headers.get('cache-control')).toBe('no-store');
    await waitFor('the FAILED notice', () =>
      notices.find((n) => n.routingKey === 'picture.processed' && (n.data as { pictureId: string }).pictureId === id),
    );
    expect(notices.find((n) => (n.data as { pictureId: string }).pictureId === id)?.data).toEqual({
      pictureId: id,
      ownerId: bob.id,
      status: 'FAILED',
    });
  });

  it('publishes picture.uploaded and picture.processed with the contract data, and a notice', async () => {
    const { id, createdAt } = await uploadPng(alice, 'Evented', ['one']);
    await waitForStatus(id, 'READY');
    const mine = (await waitFor('two events', () => {
      const found = events.filter((e) => e.subject === id);
      return found.length >= 2 ? found : undefined;
    }))!;
    expect(mine.map((e) => e.type)).toEqual(['picture.uploaded', 'picture.processed']);
    const data = {
      id,
      ownerId: alice.id,
      title: 'Evented',
      tags: ['one'],
      contentType: 'image/png',
      width: 40,
      height: 30,
    };
    expect(mine[0]).toMatchObject({ source: 'pictures', subject: id, actorId: alice.id, version: '1.0' });
    expect(mine[0]!.data).toEqual({ ...data, byteSize: expect.any(Number), status: 'PROCESSING', createdAt });
    expect(mine[1]!.data).toEqual({ ...data, byteSize: expect.any(Number), status: 'READY', createdAt });
    await waitFor('the READY notice', () => notices.find((n) => (n.data as { pictureId: string }).pictureId === id));
    expect(notices.filter((n) => (n.data as { pictureId: string }).pictureId === id).map((n) => n.data)).toEqual([
      { pictureId: id, ownerId: alice.id, status: 'READY' },
    ]);
  });

  it('skips a duplicate job for a picture already READY (idempotent worker)', async () => {
    const { id } = await uploadPng(alice);
    await waitForStatus(id, 'READY');
    await waitFor('the processed event', () => events.some((e) => e.subject === id && e.type === 'picture.processed'));
    await waitFor('the READY notice', () => notices.some((n) => (n.data as { pictureId: string }).pictureId === id));
    const thumbnail = join(
      t.blobDir,
      t.blobFiles().find((f) => f.includes(id) && f.includes('thumbnail'))!,
    );
    const made = statSync(thumbnail);
    const duplicate = randomUUID();
    await t.infra.jobs.enqueue(THUMBNAIL_QUEUE, { pictureId: id }, { id: duplicate });
    // The worker is done with it (acknowledged, not failed) before anything is said not to have happened.
    await waitFor('the duplicate job acknowledged', () => jobs.finished.some((j) => j.id === duplicate));
    expect(jobs.finished.filter((j) => j.id === duplicate)).toEqual([{ id: duplicate, attempt: 1, outcome: 'acked' }]);
    expect(events.filter((e) => e.subject === id && e.type === 'picture.processed')).toHaveLength(1);
    expect(notices.filter((n) => (n.data as { pictureId: string }).pictureId === id)).toHaveLength(1);
    // The thumbnail was not made again: its file is the one written the first time.
    const after = statSync(thumbnail);
    expect([after.ino, after.mtimeMs]).toEqual([made.ino, made.mtimeMs]);
    expect((await t.picture(id))?.status).toBe('READY');
    expect(await t.infra.jobs.takeDeadLetters(THUMBNAIL_QUEUE)).toEqual([]);
  });

  it('deletes for the owner or an admin only; the blobs go and the URLs answer 404', async () => {
    const { id } = await uploadPng(alice);
    const ready = await waitForStatus(id, 'READY');
    const del = (viewer?: Viewer, target = id) =>
      t.call<{ deletePicture: boolean }>('mutation($id: ID!) { deletePicture(id: $id) }', { id: target }, viewer);

    expect(codes(await del(bob))).toEqual(['FORBIDDEN']);
    expect(codes(await del(undefined))).toEqual(['UNAUTHENTICATED']);
    expect((await t.picture(id))?.status).toBe('READY');

    expect((await del(alice)).data).toEqual({ deletePicture: true });
    expect(await t.picture(id)).toBeNull();
    expect(t.blobFiles().filter((f) => f.includes(id))).toEqual([]);
    for (const path of [ready.url, ready.thumbnailUrl!]) expect((await t.media(path)).status).toBe(404);
    expect(codes(await del(alice))).toEqual(['NOT_FOUND']);
    await waitFor('picture.deleted', () => events.find((e) => e.subject === id && e.type === 'picture.deleted'));

    const { id: bobs } = await uploadPng(bob);
    await waitForStatus(bobs, 'READY');
    expect((await del(admin, bobs)).data).toEqual({ deletePicture: true });
    expect(await t.picture(bobs)).toBeNull();
    expect(t.blobFiles().filter((f) => f.includes(bobs))).toEqual([]);
  });

  it('serves 404 for unknown media paths and ids, and 405 for other methods', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await t.media(`/media/pictures/${unknown}/original`)).status).toBe(404);
    expect((await t.media(`/media/pictures/not-a-uuid/original`)).status).toBe(404);
    expect((await t.media(`/media/pictures/${unknown}/other`)).status).toBe(404);
    expect((await t.media(`/elsewhere`)).status).toBe(404);
    const { id } = await uploadPng(alice);
    const post = await t.media(`/media/pictures/${id}/original`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('lists pictures newest first with keyset pages, by owner and by tag', async () => {
    const carol = userViewer();
    const uploaded: PictureJson[] = [];
    for (const [n, tags] of [
      [1, ['Cats']],
      [2, ['dogs']],
      [3, ['cats', 'dogs']],
      [4, []],
      [5, ['CATS']],
    ] as const) {
      uploaded.push(await uploadPng(carol, `carol ${n}`, [...tags]));
    }
    type Page = {
      pictures: { edges: { node: { title: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    };
    const page = (vars: Record<string, unknown>) =>
      t.call<Page>(
        `query($first: Int, $after: String, $owner: ID, $tag: String) {
          pictures(first: $first, after: $after, ownerId: $owner, tag: $tag) {
            edges { node { title } } pageInfo { hasNextPage endCursor } } }`,
        { owner: carol.id, ...vars },
      );
    const titles = (res: Awaited<ReturnType<typeof page>>) => res.data!.pictures.edges.map((e) => e.node.title);

    const first = await page({ first: 2 });
    expect(titles(first)).toEqual(['carol 5', 'carol 4']);
    expect(first.data!.pictures.pageInfo.hasNextPage).toBe(true);
    const second = await page({ first: 2, after: first.data!.pictures.pageInfo.endCursor });
    expect(titles(second)).toEqual(['carol 3', 'carol 2']);
    const third = await page({ first: 2, after: second.data!.pictures.pageInfo.endCursor });
    expect(titles(third)).toEqual(['carol 1']);
    expect(third.data!.pictures.pageInfo.hasNextPage).toBe(false);

    expect(titles(await page({ tag: ' cats ' }))).toEqual(['carol 5', 'carol 3', 'carol 1']);
    expect(titles(await page({ tag: 'dogs', first: 1 }))).toEqual(['carol 3']);
    expect(titles(await page({ tag: 'birds' }))).toEqual([]);
    const everyone = await t.call<Page>('{ pictures(first: 100) { edges { node { title } } } }');
    expect(everyone.data!.pictures.edges.length).toBeGreaterThan(5);

    expect(codes(await page({ first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await page({ first: 0 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await page({ after: 'forged' }))).toEqual(['BAD_USER_INPUT']);
    const forgedId = Buffer.from(JSON.stringify([new Date().toISOString(), 'x'])).toString('base64url');
    expect(codes(await page({ after: forgedId }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await page({ tag: '' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('contributes User.pictures, one query for a batch of users', async () => {
    const dave = userViewer();
    const erin = userViewer();
    for (const n of [1, 2, 3]) await uploadPng(dave, `dave ${n}`);
    await uploadPng(erin, 'erin 1');
    const nobody = userViewer();
    const latest = jest.spyOn(PictureStore.prototype, 'latestByOwners');
    try {
      const res = await t.call<{
        _entities: {
          id: string;
          pictures: { edges: { node: { title: string; owner: { id: string } } }[]; pageInfo: { hasNextPage: boolean } };
        }[];
      }>(
        `query($reps: [_Any!]!) { _entities(representations: $reps) {
          ... on User { id pictures(first: 2) { edges { node { title owner { id } } } pageInfo { hasNextPage } } } } }`,
        { reps: [dave, erin, nobody].map((u) => ({ __typename: 'User', id: u.id })) },
      );
      expect(res.errors).toBeUndefined();
      const [d, e, n] = res.data!._entities;
      expect(d!.pictures.edges.map((x) => x.node.title)).toEqual(['dave 3', 'dave 2']);
      expect(d!.pictures.pageInfo.hasNextPage).toBe(true);
      expect(d!.pictures.edges[0]!.node.owner.id).toBe(dave.id);
      expect(e!.pictures.edges.map((x) => x.node.title)).toEqual(['erin 1']);
      expect(e!.pictures.pageInfo.hasNextPage).toBe(false);
      expect(n!.pictures.edges).toEqual([]);
      expect(latest).toHaveBeenCalledTimes(1);
    } finally {
      latest.mockRestore();
    }
  });

  it('resolves Picture references for other subgraphs', async () => {
    const { id } = await uploadPng(alice, 'Referenced');
    const res = await t.call<{ _entities: ({ title: string } | null)[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Picture { ${PICTURE_FIELDS} } } }`,
      {
        reps: [
          { __typename: 'Picture', id },
          { __typename: 'Picture', id: '00000000-0000-4000-8000-000000000000' },
        ],
      },
    );
    expect(res.data!._entities[0]).toMatchObject({ title: 'Referenced' });
    expect(res.data!._entities[1]).toBeNull();
  });
});

describe('the pictures service run alone', () => {
  it('accepts a request body that holds the largest upload (its base64 and the mutation around it)', () => {
    expect(picturesService.maxBodyBytes).toBeGreaterThanOrEqual(MAX_BASE64_LENGTH + 64 * 1024);
  });
});
