/**
 * SIGTERM to five subgraph processes (SUBGRAPHS below) and the pictures worker, each run
 * alone against the real servers (PostgreSQL, Kafka, RabbitMQ, Redis, MongoDB wire) as in
 * distributed mode: each stops its server, consumers and pools and exits 0 within the
 * lifecycle's bound. (search, notifications and analytics are not among them yet.)
 */
import { freshDatabase, describeWithService, spawnTsx, type Spawned } from '@agora/kit/testing';

const SUBGRAPHS = ['users', 'auth', 'forum', 'comments', 'pictures'] as const;

describeWithService(
  ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'KAFKA_BROKERS', 'MONGO_URL'],
  'SIGTERM in five subgraph processes and the pictures worker',
  (serverUrl) => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    const processes: { name: string; process: Spawned }[] = [];

    beforeAll(async () => {
      database = await freshDatabase(serverUrl);
      const env = { DATABASE_URL: database.url, PORT: '0', PICTURES_WORKER: 'off' };
      for (const name of SUBGRAPHS) {
        processes.push({ name, process: spawnTsx(`subgraphs/${name}/src/main.ts`, env, { keepBacking: true }) });
      }
      processes.push({
        name: 'pictures-worker',
        process: spawnTsx('subgraphs/pictures/src/worker.ts', env, { keepBacking: true }),
      });
      await Promise.all(
        processes.map(({ name, process }) =>
          process.waitForLog(
            name === 'pictures-worker' ? 'thumbnail worker running' : `${name} subgraph listening`,
            120_000,
          ),
        ),
      );
    }, 150_000);

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
