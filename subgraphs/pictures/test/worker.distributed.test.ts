import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventLog } from '@agora/kit/events/memory';
import { RabbitJobQueue } from '@agora/kit/jobs/rabbitmq';
import { createLogger } from '@agora/kit/log';
import { REPO_ROOT } from '@agora/kit/paths';
import { waitFor, freshDatabase, describeWithService } from '@agora/kit/testing';
import type { PicturesSettings } from '../src/config';
import { enqueueThumbnail, THUMBNAIL_QUEUE } from '../src/jobs/thumbnails';
import { contentHash } from '../src/media/images';
import { blobKey } from '../src/media/paths';
import { openResources, type PictureResources } from '../src/resources';
import { corruptPng, solidImage } from './images';

const WORKER = join(__dirname, '../src/worker.ts');

/** A `src/worker.ts` process with its JSON log lines collected. */
function startWorker(env: Record<string, string>): { process: ChildProcess; logs: () => Record<string, unknown>[] } {
  // One process (node with tsx's loader), not the tsx CLI: that one runs the script in a
  // child process, which a SIGKILL of the CLI would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    // Only the job queue is real here: events and notices stay in process.
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const logs = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { process: child, logs };
}

/**
 * Distributed mode: thumbnail workers as their own processes on RabbitMQ and PostgreSQL,
 * sharing a blob folder with whoever stored the originals (here, the test).
 */
describeWithService(['DATABASE_URL', 'AMQP_URL'], 'thumbnail workers on RabbitMQ', (serverUrl, amqpUrl) => {
  const log = createLogger('pictures-test');
  const blobDir = mkdtempSync(join(tmpdir(), 'agora-worker-blobs-'));
  const workers: ChildProcess[] = [];
  let database: { url: string; drop: () => Promise<void> };
  let resources: PictureResources;
  let jobs: RabbitJobQueue;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await freshDatabase(serverUrl);
    const settings: PicturesSettings = {
      blobDir,
      worker: 'off',
      workerConcurrency: 1,
      sweepIntervalMs: 60_000,
      staleJobMs: 60_000,
      testHoldMs: 0,
    };
    resources = await openResources({ databaseUrl: database.url, events: new MemoryEventLog(), log }, settings);
    jobs = await RabbitJobQueue.open(amqpUrl, log);
    env = { DATABASE_URL: database.url, AMQP_URL: amqpUrl, BLOB_DIR: blobDir, PICTURES_WORKER_CONCURRENCY: '1' };
  }, 30_000);

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await jobs?.close();
    await resources?.close();
    await database?.drop();
    rmSync(blobDir, { recursive: true, force: true });
  });

  /** A picture as the subgraph leaves it after an upload: its original stored, its row PROCESSING, its job queued. */
  const storePicture = async (bytes: Buffer, width: number, height: number) => {
    const id = randomUUID();
    await resources.blobs.put(blobKey(id, 'original'), bytes);
    await resources.store.create({
      id,
      ownerId: randomUUID(),
      title: 'Distributed',
      tags: [],
      contentType: 'image/png',
      width,
      height,
      byteSize: bytes.length,
      sha256: contentHash(bytes),
    });
    await enqueueThumbnail(jobs, id);
    return id;
  };
  const statusOf = async (id: string) => (await resources.store.byId(id))?.status;

  it('redelivers the job of a worker killed mid-job to another worker', async () => {
    const first = startWorker({ ...env, PICTURES_TEST_HOLD_JOB_MS: '600000' });
    workers.push(first.process);
    const id = await storePicture(await solidImage(800, 600), 800, 600);
    await waitFor(
      'the first worker to start the job',
      () => first.logs().some((l) => l.msg === 'thumbnail job started' && l.pictureId === id),
      30_000,
    );
    first.process.kill('SIGKILL');
    expect(await statusOf(id)).toBe('PROCESSING');

    const second = startWorker(env);
    workers.push(second.process);
    await waitFor('READY', async () => (await statusOf(id)) === 'READY', 30_000);
    // By the second worker: its log line follows the row's update through a pipe, so wait for it.
    await waitFor('the second worker to log it', () =>
      second.logs().some((l) => l.msg === 'thumbnail ready' && l.pictureId === id),
    );
    expect(await resources.blobs.exists(blobKey(id, 'thumbnail'))).toBe(true);
  }, 90_000);

  it('ends a corrupt image FAILED with its job dead-lettered, while other jobs keep flowing', async () => {
    const worker = startWorker(env);
    workers.push(worker.process);
    const corrupt = await storePicture(corruptPng(), 64, 64);
    const good = await storePicture(await solidImage(300, 200), 300, 200);
    await waitFor('the good picture READY', async () => (await statusOf(good)) === 'READY', 30_000);
    await waitFor('the corrupt picture FAILED', async () => (await statusOf(corrupt)) === 'FAILED', 30_000);
    // The dead-letter queue is shared with earlier runs: look for this job among its letters.
    const letters = await waitFor(
      'the dead letter',
      async () =>
        (await jobs.takeDeadLetters(THUMBNAIL_QUEUE)).find(
          (l) => (l.payload as { pictureId: string }).pictureId === corrupt,
        ),
      10_000,
    );
    expect(letters).toMatchObject({ attempt: 3, error: expect.stringMatching(/IDAT|zlib|stream/i) });
  }, 90_000);
});
