/**
 * `npm run start:distributed` end to end: the script starts auth, two forum replicas and the
 * gateway as separate processes against devstack's servers, and the panels slice works through
 * the gateway as it does under `npm start`, with both replicas serving requests.
 *
 * Isolation: the run gets its own PostgreSQL database (created here, dropped after), so its
 * service schemas are fresh, and ports from a free range (PORT_BASE). Kafka, RabbitMQ and Redis
 * are shared with other tests; this slice only publishes to them (panel.created).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { describeWithService, codes, gql, sleep, waitFor } from '@agora/kit/testing';

const ROOT = resolve(__dirname, '../../..');
const BACKING = ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'KAFKA_BROKERS', 'MONGO_URL'] as const;

/** The env the script's processes get: this test's, without jest's own settings. */
function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_ENV;
  return env;
}

const runScript = (env: NodeJS.ProcessEnv) =>
  spawn(process.execPath, ['--import', 'tsx', 'apps/distributed/src/main.ts'], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const portFree = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer()
      .once('error', () => done(false))
      .listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });

/** A PORT_BASE whose ports this run uses (gateway, auth, forum ×2) are free. */
async function freePortBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 400) * 100;
    const free = await Promise.all([0, 2, 3, 13].map((offset) => portFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
}

describe('start:distributed refuses what it cannot run', () => {
  async function failure(env: NodeJS.ProcessEnv) {
    const child = runScript(env);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    return { code, stderr };
  }

  it('says devstack is not running, and how to start it', async () => {
    const unset = Object.fromEntries(BACKING.map((key) => [key, '']));
    const result = await failure({ ...unset, DEVSTACK_STATE: mkdtempSync(join(tmpdir(), 'no-devstack-')) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('devstack is not running');
    expect(result.stderr).toContain('npm run devstack -- up');
  });

  it.each([
    [{ FORUM_REPLICAS: '0' }, 'FORUM_REPLICAS'],
    [{ SERVICES: 'forum,nope' }, 'SERVICES: no subgraphs/nope/src/main.ts'],
    [{ PORT_BASE: '65500' }, 'PORT_BASE'],
  ])('refuses %j', async (env, message) => {
    const result = await failure(env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

describeWithService([...BACKING], 'npm run start:distributed', (databaseUrl) => {
  const database = `agora_distributed_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new DataSource({ type: 'postgres', url: databaseUrl });
  let stack: ChildProcess;
  let exited: Promise<number | null>;
  let gatewayUrl: string;
  let ports: number[];
  const lines: string[] = [];
  const served = { 'forum-1': 0, 'forum-2': 0 } as Record<string, number>;

  beforeAll(async () => {
    await admin.initialize();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${database}`;
    const base = await freePortBase();
    ports = [0, 2, 3, 13].map((offset) => base + offset);
    gatewayUrl = `http://127.0.0.1:${base}/graphql`;
    stack = runScript({
      DATABASE_URL: url.toString(),
      PORT_BASE: String(base),
      SERVICES: 'auth,forum',
      LOG_LEVEL: 'debug',
    });
    exited = new Promise((done) => stack.once('exit', done));
    for (const stream of [stack.stdout!, stack.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        const replica = /^(forum-\d) +\| .*"msg":"graphql request"/.exec(line)?.[1];
        if (replica) served[replica] = (served[replica] ?? 0) + 1;
        lines.push(line);
        if (lines.length > 300) lines.shift();
      });
    }
    const up = await Promise.race([
      waitFor('the stack to be up', () => lines.some((line) => line.startsWith('Agora is up')), 240_000),
      exited.then((code) => {
        throw new Error(`start:distributed exited (${code}):\n${lines.slice(-40).join('\n')}`);
      }),
    ]);
    expect(up).toBe(true);
  }, 250_000);

  afterAll(async () => {
    if (stack?.exitCode === null) stack.kill('SIGKILL');
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.destroy();
  });

  it('serves the panels slice through one gateway over two forum replicas', async () => {
    const handle = `d${randomUUID().slice(0, 8)}`;
    const registered = await gql<{ register: { accessToken: string; user: { id: string } } }>(
      gatewayUrl,
      `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
      { input: { email: `${handle}@example.test`, password: 'a long enough password', handle, displayName: 'D' } },
    );
    expect(registered.errors).toBeUndefined();
    const { accessToken, user } = registered.data!.register;
    const auth = { authorization: `Bearer ${accessToken}` };

    const names = ['Rust', 'Go', 'Zig', 'Nim', 'Odin', 'Gleam'].map((n) => `${n} ${handle}`);
    for (const name of names) {
      const created = await gql(
        gatewayUrl,
        `mutation ($name: String!) { createPanel(input: { name: $name }) { id } }`,
        { name },
        auth,
      );
      expect(created.errors).toBeUndefined();
    }
    const listed = await gql<{ panels: { edges: { node: { name: string; createdBy: { id: string } } }[] } }>(
      gatewayUrl,
      `{ panels(first: 100) { edges { node { name createdBy { id } } } } }`,
    );
    expect(listed.errors).toBeUndefined();
    const mine = listed.data!.panels.edges.map((e) => e.node).filter((p) => p.name.endsWith(handle));
    expect(mine.map((p) => p.name).sort()).toEqual([...names].sort());
    expect(new Set(mine.map((p) => p.createdBy.id))).toEqual(new Set([user.id]));

    // The same rules as embedded mode: anonymous and invalid writes are refused, nothing written.
    const anonymous = await gql(gatewayUrl, `mutation { createPanel(input: { name: "Nope ${handle}" }) { id } }`);
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const blank = await gql(gatewayUrl, `mutation { createPanel(input: { name: "  " }) { id } }`, {}, auth);
    expect(codes(blank)).toEqual(['BAD_USER_INPUT']);

    await waitFor('both replicas to log their requests', () => served['forum-1']! + served['forum-2']! >= 9);
    expect(served['forum-1']).toBeGreaterThan(0);
    expect(served['forum-2']).toBeGreaterThan(0);
  });

  it('migrated the fresh forum schema once, though both replicas started together', async () => {
    const db = new DataSource({ type: 'postgres', url: databaseUrl.replace(/\/[^/]*$/, `/${database}`) });
    await db.initialize();
    try {
      const rows: { name: string; n: number }[] = await db.query(
        `SELECT name, count(*)::int AS n FROM forum.migrations GROUP BY name`,
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.n !== 1)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('restarts a crashed subgraph, serving again within 10 s, while the gateway keeps answering', async () => {
    const pidOf = (name: string) => {
      const line = [...lines].reverse().find((l) => l.startsWith(`${name} `) && l.includes('"pid":'));
      return Number(/"pid":(\d+)/.exec(line ?? '')?.[1]);
    };
    const authPid = pidOf('auth');
    expect(authPid).toBeGreaterThan(0);
    const register = (handle: string) =>
      gql<{ register: { accessToken: string } }>(
        gatewayUrl,
        `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`,
        { input: { email: `${handle}@example.test`, password: 'a long enough password', handle } },
      );

    process.kill(authPid, 'SIGKILL');
    const killedAt = Date.now();
    // Other subgraphs keep answering through the gateway meanwhile.
    const reads: (string[] | undefined)[] = [];
    let authBackInMs: number | undefined;
    for (let i = 0; authBackInMs === undefined && Date.now() - killedAt < 30_000; i++) {
      const panels = await gql(gatewayUrl, `{ panels(first: 1) { edges { node { id } } } }`);
      reads.push(panels.errors?.map((e) => String(e.extensions?.code)));
      const handle = `r${randomUUID().slice(0, 8)}`;
      const registered = await register(handle);
      if (registered.data?.register?.accessToken) authBackInMs = Date.now() - killedAt;
      else expect(codes(registered)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      await sleep(200);
    }
    expect(reads.filter((errors) => errors !== undefined)).toEqual([]);
    expect(authBackInMs).toBeDefined();
    expect(authBackInMs!).toBeLessThan(10_000);
    expect(lines.some((l) => /^auth exited \(code SIGKILL\).*restarting in/.test(l))).toBe(true);
    console.log(`auth killed: serving again after ${authBackInMs} ms; ${reads.length} forum reads, none failed`);
  }, 60_000);

  it('stops every process on SIGTERM', async () => {
    stack.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stillOpen = (await Promise.all(ports.map(async (port) => ((await portFree(port)) ? null : port)))).filter(
      (port) => port !== null,
    );
    expect(stillOpen).toEqual([]);
  }, 60_000);
});
