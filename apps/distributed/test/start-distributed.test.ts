/**
 * `npm run start:distributed` end to end: the script starts every subgraph (two forum
 * replicas), the pictures worker and the gateway as separate processes against devstack's
 * servers. Through that one stack: the panels slice works as it does under `npm start`, with
 * both forum replicas serving; and subscriptions run on the real publishing path of
 * distributed mode, on two gateway replicas (the script's, and one started here): the
 * subgraphs' outbox relays publish to Kafka, the worker process publishes its notices to
 * RabbitMQ's `realtime` exchange, and each replica consumes both with a group and a queue of
 * its own, so every subscriber gets every event it is entitled to exactly once.
 *
 * Isolation: the run gets its own PostgreSQL database (created here, dropped after), so its
 * service schemas are fresh, its own data folder, and ports from a free range (PORT_BASE).
 * Kafka, RabbitMQ and Redis are shared with other tests: what is asserted is filtered to this
 * run's own panels, posts and users.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { gatewayConfig } from '@agora/gateway/config';
import { startGateway, type RunningGateway } from '@agora/gateway/gateway';
import { remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import { KafkaEventLog } from '@agora/kit/events/kafka';
import { createLogger } from '@agora/kit/log';
import { RabbitNotices } from '@agora/kit/notices/rabbitmq';
import { describeWithService, codes, freePortBase, gql, portFree, sleep, waitFor } from '@agora/kit/testing';
import { SUBGRAPHS } from '@agora/contracts/subgraphs';
import { wsClient, wsSubscribe, type Received } from '../../../gateway/test/subscription-clients';

const ROOT = resolve(__dirname, '../../..');
/** Port offsets from PORT_BASE: the gateway, each subgraph (DESIGN.md's), forum's second replica. */
const OFFSETS = [0, ...SUBGRAPHS.map((s) => s.port - 4000), 13];
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

describeWithService([...BACKING], 'npm run start:distributed', (databaseUrl, _redisUrl, amqpUrl, kafkaBrokers) => {
  const database = `agora_distributed_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new DataSource({ type: 'postgres', url: databaseUrl });
  let stack: ChildProcess;
  let exited: Promise<number | null>;
  let base: number;
  let gatewayUrl: string;
  let ports: number[];
  const lines: string[] = [];
  const served = { 'forum-1': 0, 'forum-2': 0 } as Record<string, number>;

  beforeAll(async () => {
    await admin.initialize();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${database}`;
    base = await freePortBase(OFFSETS);
    ports = OFFSETS.map((offset) => base + offset);
    gatewayUrl = `http://127.0.0.1:${base}/graphql`;
    stack = runScript({
      DATABASE_URL: url.toString(),
      PORT_BASE: String(base),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'agora-distributed-')),
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
    // SIGTERM lets the script stop its processes; SIGKILL only if it will not.
    if (stack?.exitCode === null) {
      stack.kill('SIGTERM');
      const timer = setTimeout(() => stack.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
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

    // The same rules as embedded mode: anonymous and invalid writes are refused.
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

  describe('subscriptions on the real publishing path, on two gateway replicas', () => {
    const log = createLogger('distributed-subscriptions-test');
    const clients: { dispose(): unknown }[] = [];
    let replica: { gateway: RunningGateway; events: KafkaEventLog; notices: RabbitNotices } | undefined;
    /** The script's gateway and the one started here: both consume Kafka and RabbitMQ. */
    let gateways: string[];

    const call = async <D>(query: string, variables: Record<string, unknown>, token?: string) => {
      const res = await gql<D>(gatewayUrl, query, variables, token ? { authorization: `Bearer ${token}` } : {});
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!;
    };
    const signUp = async (prefix: string) => {
      const handle = `${prefix}_${randomUUID().slice(0, 6)}`;
      const { register } = await call<{ register: { accessToken: string; user: { id: string } } }>(
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
        { input: { email: `${handle}@example.test`, password: 'Correct-horse-battery-9', handle } },
      );
      return { handle, id: register.user.id, token: register.accessToken };
    };
    /** One subscriber per gateway replica, as `token`'s user (anonymous without). */
    const onEveryReplica = (query: string, variables?: Record<string, unknown>, token?: string) =>
      gateways.map((url) => {
        const client = wsClient(url, token && `Bearer ${token}`);
        clients.push(client);
        return wsSubscribe(client, query, variables);
      });
    /** Subscriptions start asynchronously: `write` until every subscriber has a payload. */
    const warmUp = async (subscribers: Received[], write: () => Promise<string>) => {
      const ids = new Set<string>();
      await waitFor(
        'every subscriber on both replicas',
        async () => {
          ids.add(await write());
          await sleep(300);
          return subscribers.every((s) => s.results.length > 0);
        },
        60_000,
      );
      return ids;
    };
    const idsOf = (s: Received, field: string) =>
      s.results.map((r) => (r.data as Record<string, { id: string }>)[field]!.id);

    beforeAll(async () => {
      const url = (offset: number) => `http://127.0.0.1:${base + offset}/graphql`;
      const subgraphUrls: Record<string, string[]> = Object.fromEntries(
        SUBGRAPHS.map((s) => [s.name, [url(s.port - 4000)]]),
      );
      subgraphUrls.forum!.push(url(13));
      const auth = SUBGRAPHS.find((s) => s.name === 'auth')!;
      const events = new KafkaEventLog({ brokers: kafkaBrokers.split(','), clientId: 'gateway-replica-2', log });
      const notices = await RabbitNotices.open(amqpUrl, log);
      const config = gatewayConfig({});
      const gateway = await startGateway({
        host: '127.0.0.1',
        port: 0,
        log,
        supergraphPath: config.SUPERGRAPH_PATH,
        subgraphUrls,
        maxBodyBytes: config.MAX_BODY_BYTES,
        maxDepth: config.MAX_QUERY_DEPTH,
        identify: tokenIdentifier(
          remoteKeys(`http://127.0.0.1:${base + auth.port - 4000}/.well-known/jwks.json`, { cooldownMs: 0 }),
        ),
        infra: { events, notices },
      });
      replica = { gateway, events, notices };
      gateways = [gatewayUrl, gateway.graphqlUrl];
    }, 120_000);

    afterAll(async () => {
      for (const client of clients) await client.dispose();
      await replica?.gateway.close();
      await replica?.events.close();
      await replica?.notices.close();
    });

    it("postAdded: forum's outbox relay → Kafka → every subscriber on each replica, each post exactly once", async () => {
      const author = await signUp('kafka_author');
      const { createPanel } = await call<{ createPanel: { id: string } }>(
        'mutation($input: CreatePanelInput!) { createPanel(input: $input) { id } }',
        { input: { name: `Kafka ${randomUUID().slice(0, 8)}` } },
        author.token,
      );
      const post = async (title: string) =>
        (
          await call<{ createPost: { id: string } }>(
            'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
            { input: { panelId: createPanel.id, title, body: 'over Kafka' } },
            author.token,
          )
        ).createPost.id;
      const query = 'subscription($p: ID) { postAdded(panelId: $p) { id author { handle } } }';
      const subscribers = [
        ...onEveryReplica(query, { p: createPanel.id }),
        ...onEveryReplica(query, { p: createPanel.id }),
      ];
      const warmUps = await warmUp(subscribers, () => post('warm-up'));
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(await post(`post ${i}`));
      const after = (s: Received) => idsOf(s, 'postAdded').filter((id) => !warmUps.has(id));
      await waitFor('every post everywhere', () => subscribers.every((s) => after(s).length >= ids.length), 60_000);
      await sleep(1_000); // room for a duplicate to show up
      // Exactly once each (posts of different ids may come from different partitions: any order).
      for (const s of subscribers) {
        expect(after(s).sort()).toEqual([...ids].sort());
        expect(s.errors).toEqual([]);
      }
      expect(subscribers[1]!.results.find((r) => JSON.stringify(r).includes(ids[0]!))).toEqual({
        data: { postAdded: { id: ids[0], author: { handle: author.handle } } },
      });
    }, 180_000);

    it("commentAdded: comments' outbox relay → Kafka → each replica, each comment exactly once", async () => {
      const author = await signUp('kafka_commenter');
      const { createPanel } = await call<{ createPanel: { id: string } }>(
        'mutation($input: CreatePanelInput!) { createPanel(input: $input) { id } }',
        { input: { name: `Comments ${randomUUID().slice(0, 8)}` } },
        author.token,
      );
      const { createPost } = await call<{ createPost: { id: string } }>(
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId: createPanel.id, title: 'To comment on', body: 'over Kafka' } },
        author.token,
      );
      const comment = async (body: string) =>
        (
          await call<{ addComment: { id: string } }>(
            'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
            { input: { postId: createPost.id, body } },
            author.token,
          )
        ).addComment.id;
      const subscribers = onEveryReplica('subscription($p: ID!) { commentAdded(postId: $p) { id body } }', {
        p: createPost.id,
      });
      const warmUps = await warmUp(subscribers, () => comment('warm-up'));
      const ids = [await comment('first'), await comment('second'), await comment('third')];
      const after = (s: Received) => idsOf(s, 'commentAdded').filter((id) => !warmUps.has(id));
      await waitFor('every comment everywhere', () => subscribers.every((s) => after(s).length >= ids.length), 60_000);
      await sleep(1_000); // room for a duplicate to show up
      for (const s of subscribers) {
        expect(after(s).sort()).toEqual([...ids].sort());
        expect(s.errors).toEqual([]);
      }
    }, 180_000);

    it('pictureProcessed: the worker process → RabbitMQ realtime → the owner on each replica, exactly once, and no one else', async () => {
      const [owner, other] = [await signUp('rabbit_owner'), await signUp('rabbit_other')];
      const query = 'subscription { pictureProcessed { id status owner { handle } } }';
      const owners = onEveryReplica(query, undefined, owner.token);
      const others = onEveryReplica(query, undefined, other.token);
      const upload = (token: string) => async () => {
        const { uploadPicture } = await call<{ uploadPicture: { id: string } }>(
          'mutation($input: UploadPictureInput!) { uploadPicture(input: $input) { id } }',
          { input: { title: 'Dot', dataBase64: ONE_PIXEL_PNG, contentType: 'image/png' } },
          token,
        );
        return uploadPicture.id;
      };
      const ownersPictures = await warmUp(owners, upload(owner.token));
      const fresh = [await upload(owner.token)(), await upload(owner.token)()];
      fresh.forEach((id) => ownersPictures.add(id));
      const processed = (s: Received) => idsOf(s, 'pictureProcessed');
      await waitFor(
        "the owner's new pictures on both replicas",
        () => owners.every((s) => fresh.every((id) => processed(s).includes(id))),
        60_000,
      );
      // The other user's subscriptions are live: their own picture reaches them on both replicas.
      const othersPictures = await warmUp(others, upload(other.token));
      await sleep(1_000); // room for a duplicate to show up
      for (const s of owners) {
        expect(
          processed(s)
            .filter((id) => fresh.includes(id))
            .sort(),
        ).toEqual([...fresh].sort());
        expect(new Set(processed(s)).size).toBe(processed(s).length);
        expect(processed(s).every((id) => ownersPictures.has(id))).toBe(true);
        expect(s.results.find((r) => JSON.stringify(r).includes(fresh[0]!))).toEqual({
          data: { pictureProcessed: { id: fresh[0], status: 'READY', owner: { handle: owner.handle } } },
        });
      }
      for (const s of others) {
        expect(processed(s).filter((id) => ownersPictures.has(id))).toEqual([]);
        expect(processed(s).every((id) => othersPictures.has(id))).toBe(true);
      }
      expect([...owners, ...others].flatMap((s) => s.errors)).toEqual([]);
    }, 180_000);
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

  it('stops on SIGTERM: the script exits 0 and every port it used is free', async () => {
    stack.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stillOpen = (await Promise.all(ports.map(async (port) => ((await portFree(port)) ? null : port)))).filter(
      (port) => port !== null,
    );
    expect(stillOpen).toEqual([]);
  }, 60_000);
});

/** The smallest valid PNG: one pixel. */
const ONE_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
