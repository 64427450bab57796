import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { RabbitJobQueue } from '@agora/kit/jobs/rabbitmq';
import { createLogger } from '@agora/kit/log';
import { REPO_ROOT } from '@agora/kit/paths';
import {
  describeWithService,
  freshDatabase,
  sleep,
  SmtpReceiver,
  startServiceForTest,
  waitFor as poll,
  type ServiceUnderTest,
} from '@agora/kit/testing';
import type { NotificationResources } from '../src/resources';
import { createNotificationsService } from '../src/service';
import { world } from './harness';

const waitFor = <T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000) =>
  poll(what, check, timeoutMs) as Promise<NonNullable<T>>;

const WORKER = join(__dirname, '../src/worker.ts');
const PUBLIC_URL = 'http://agora.test';
const WINDOW_MS = 500;
const MAX_ATTEMPTS = 4;

/**
 * Distributed mode: the subgraph on PostgreSQL with its mail worker off, and mail workers
 * as their own processes (src/worker.ts) on the real RabbitMQ, mailing a real SMTP server.
 */
describeWithService(['DATABASE_URL', 'AMQP_URL'], 'mail workers on RabbitMQ', (serverUrl, amqpUrl) => {
  const receiver = new SmtpReceiver();
  const queue = `mail.test-${randomUUID()}`;
  const workers: ChildProcess[] = [];
  let database: { url: string; drop: () => Promise<void> };
  let infra: Infra;
  let subject: ServiceUnderTest;
  let resources: NotificationResources;
  let jobs: RabbitJobQueue;
  let w: ReturnType<typeof world>;

  const startWorker = () => {
    // One process (node with tsx's loader), as start:distributed runs it.
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: {
        PATH: process.env.PATH,
        LOG_LEVEL: 'warn',
        DATABASE_URL: database.url,
        AMQP_URL: amqpUrl,
        SMTP_URL: receiver.url,
        PUBLIC_URL,
        MAIL_QUEUE: queue,
        MAIL_BATCH_WINDOW_MS: String(WINDOW_MS),
        MAIL_DISPATCH_INTERVAL_MS: '100',
        MAIL_BACKOFF_MS: '300',
        MAIL_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        MAIL_SMTP_TIMEOUT_MS: '2000',
      },
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    workers.push(child);
    return child;
  };

  beforeAll(async () => {
    await receiver.start();
    database = await freshDatabase(serverUrl);
    infra = embeddedInfra();
    w = world(infra.events);
    jobs = await RabbitJobQueue.open(amqpUrl, createLogger('notifications-test'));
    const definition = createNotificationsService({
      settings: { mailWorker: 'off', batchWindowMs: WINDOW_MS, publicUrl: PUBLIC_URL, mailQueue: queue },
      onStarted: (internals) => (resources = internals.resources),
    });
    subject = await startServiceForTest(
      { ...definition, start: (runtime) => definition.start({ ...runtime, databaseUrl: database.url }) },
      { infra },
    );
    // Two workers: RabbitMQ shares the jobs out, and a batch is claimed by one of them.
    startWorker();
    startWorker();
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(
      workers.map((wk) => new Promise((done) => (wk.exitCode !== null ? done(null) : wk.once('exit', done)))),
    );
    await subject?.close();
    await infra?.close();
    await jobs?.takeDeadLetters(queue).catch(() => undefined);
    await jobs?.close();
    await database?.drop();
    await receiver.stop();
  });

  const mailTo = (address: string) => receiver.to(address).filter((m) => !m.subject.startsWith('Confirm'));

  it('e-mails a reply once, with its text and a link to it, through the RabbitMQ mail queue', async () => {
    const ada = await w.user('dist_ada');
    const bob = await w.user('dist_bob');
    const others = await Promise.all([1, 2, 3, 4].map((n) => w.user(`dist_reader${n}`)));
    const post = await w.post(ada.id, 'Distributed');
    const mine = await w.comment(ada.id, post, 'Top comment');
    const reply = await w.comment(bob.id, post, 'A reply through RabbitMQ', mine);
    for (const reader of others) await w.follow(bob.id, reader.id);

    const [mail] = await waitFor('the reply e-mail', () =>
      mailTo(ada.email).length > 0 ? mailTo(ada.email) : undefined,
    );
    expect(mail!.subject).toBe('dist_bob replied to your comment');
    expect(mail!.text).toContain('A reply through RabbitMQ');
    expect(mail!.text).toContain(`${PUBLIC_URL}/post/${post}#comment-${reply}`);
    await waitFor('every follower e-mail', () => others.every((o) => mailTo(o.email).length > 0));
    // Both workers keep dispatching: nothing is sent a second time.
    await sleep(WINDOW_MS * 3);
    expect(mailTo(ada.email)).toHaveLength(1);
    for (const reader of others) expect(mailTo(reader.email)).toHaveLength(1);
  }, 60_000);

  it('retries while the SMTP receiver is down and delivers once after it returns; a refused address ends in mail.dlq', async () => {
    const carol = await w.user('dist_carol');
    const dave = await w.user('dist_dave');
    const bob = await w.user('dist_bob2');
    // Their verification e-mails out of the way first (sent, or not needed: verified at once).
    await waitFor('both verification batches done', async () => {
      const batches = [...(await resources.mail.batchesOf(carol.id)), ...(await resources.mail.batchesOf(dave.id))];
      return batches.length === 2 && batches.every((b) => b.status === 'cancelled' || b.status === 'sent');
    });
    receiver.refuse.add(dave.email);

    await receiver.stop();
    await w.follow(bob.id, carol.id);
    const batchId = await waitFor(
      'a batch',
      async () => (await resources.mail.batchesOf(carol.id)).find((b) => b.kind === 'NEW_FOLLOWER')?.id,
    );
    await waitFor(
      'two failed attempts',
      async () => ((await resources.mail.batch(batchId))?.attemptsLog.length ?? 0) >= 2,
    );
    await receiver.start();
    await waitFor('the follower e-mail', () => mailTo(carol.email).length > 0);
    const log = (await resources.mail.batch(batchId))!.attemptsLog;
    expect(log.filter((a) => a.outcome === 'failed').length).toBeGreaterThanOrEqual(2);
    expect(log.filter((a) => a.outcome === 'sent')).toHaveLength(1);

    await w.follow(bob.id, dave.id);
    const letters = await waitFor('the dead letter', async () => {
      const taken = await jobs.takeDeadLetters(queue);
      return taken.length > 0 ? taken : undefined;
    });
    const refused = (await resources.mail.batchesOf(dave.id)).find((b) => b.kind === 'NEW_FOLLOWER')!;
    expect(letters).toEqual([
      expect.objectContaining({ id: refused.id, payload: { batchId: refused.id }, attempt: MAX_ATTEMPTS }),
    ]);
    expect(letters[0]!.error).toMatch(/^550/);
    expect((await resources.mail.batch(refused.id))!.status).toBe('failed');
    expect(await resources.replicas.address(dave.id)).toMatchObject({ suppressed: true });
    await sleep(WINDOW_MS * 2);
    expect(mailTo(carol.email)).toHaveLength(1);
    expect(receiver.to(dave.email)).toEqual([]);
  }, 90_000);
});
