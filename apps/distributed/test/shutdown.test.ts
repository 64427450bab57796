/**
 * SIGTERM to every registered subgraph's process, the pictures worker and the notifications
 * mail worker, each run alone against the real servers (PostgreSQL, Kafka, RabbitMQ, Redis,
 * MongoDB wire) as in distributed mode: each stops its server, consumers and pools and exits
 * 0 within the lifecycle's bound.
 */
import { randomUUID } from 'node:crypto';
import { SUBGRAPHS } from '@agora/contracts/subgraphs';
import { freshDatabase, describeWithService, spawnTsx, STACK_START_TIMEOUT_MS, type Spawned } from '@agora/kit/testing';

/** What each worker logs once it is taking jobs. */
const WORKERS = [
  { name: 'pictures-worker', entry: 'subgraphs/pictures/src/worker.ts', ready: 'thumbnail worker running' },
  { name: 'notifications-worker', entry: 'subgraphs/notifications/src/worker.ts', ready: 'mail worker running' },
];

describeWithService(
  ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'KAFKA_BROKERS', 'MONGO_URL'],
  'SIGTERM in every subgraph process and worker',
  (serverUrl) => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    const processes: { name: string; process: Spawned }[] = [];

    beforeAll(async () => {
      database = await freshDatabase(serverUrl);
      const env = {
        DATABASE_URL: database.url,
        PORT: '0',
        PICTURES_WORKER: 'off',
        NOTIFICATIONS_MAIL_WORKER: 'off',
        // A queue of this test's own: the shared RabbitMQ's `mail` queue is not its to drain.
        MAIL_QUEUE: `mail-shutdown-${randomUUID()}`,
      };
      const ready: Promise<unknown>[] = [];
      for (const { name } of SUBGRAPHS) {
        const process = spawnTsx(`subgraphs/${name}/src/main.ts`, env, { keepBacking: true });
        processes.push({ name, process });
        ready.push(process.waitForLog(`${name} subgraph listening`, STACK_START_TIMEOUT_MS - 10_000));
      }
      for (const worker of WORKERS) {
        const process = spawnTsx(worker.entry, env, { keepBacking: true });
        processes.push({ name: worker.name, process });
        ready.push(process.waitForLog(worker.ready, STACK_START_TIMEOUT_MS - 10_000));
      }
      await Promise.all(ready);
    }, STACK_START_TIMEOUT_MS);

    afterAll(async () => {
      for (const { process } of processes) process.kill('SIGKILL');
      await database?.drop();
    });

    it('each stops gracefully and exits 0', async () => {
      for (const { process } of processes) process.kill('SIGTERM');
      const exits = await Promise.all(
        processes.map(async ({ name, process }) => ({ name, ...(await process.exited) })),
      );
      expect(exits).toEqual(processes.map(({ name }) => ({ name, code: 0, signal: null })));
      for (const { name, process } of processes) {
        const messages = process.logs().map((l) => l.msg);
        expect({ name, stopped: messages.includes('stopped') }).toEqual({ name, stopped: true });
        const errors = process.logs().filter((l) => Number(l.level) >= 50);
        expect({ name, errors }).toEqual({ name, errors: [] });
      }
    }, 60_000);
  },
);
