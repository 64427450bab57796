/**
 * The chaos suite: single faults in distributed mode, each scripted against the real stack
 * (every subgraph its own process, forum twice, the gateway) on devstack's servers. Each
 * fault is bounded in time and undone in `finally`, whatever the test's outcome: a server is
 * stopped with `scripts/devstack down <server>` and started again with `up`; a replica is
 * killed with SIGKILL. Runs alone, after the other suites (`outage` in its name: see
 * scripts/test.mjs), because stopping a server would break tests running beside it.
 *
 * Isolation: a fresh PostgreSQL database per run (dropped after); ports chosen free. The
 * pictures worker runs as its own process (PICTURES_WORKER=off), as in start:distributed.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { smallPng, startStack, type StackProcesses } from './processes';
import { REPO_ROOT } from '@agora/kit/paths';
import {
  codes,
  describeWithService,
  freshDatabase,
  gql,
  sleep,
  waitFor,
  type GraphQLResponse,
} from '@agora/kit/testing';

type Server = 'redis' | 'rabbitmq' | 'kafka' | 'ferretdb';

const devstack = async (command: 'up' | 'down' | 'status', server?: Server) =>
  (
    await promisify(execFile)('bash', ['scripts/devstack', command, ...(server ? [server] : [])], {
      cwd: REPO_ROOT,
      timeout: 180_000,
    })
  ).stdout;

/** Stops `server` for the length of `during`, then starts it again, even if `during` throws. */
async function withOutage<T>(server: Server, during: () => Promise<T>): Promise<T> {
  await devstack('down', server);
  if (!new RegExp(`^${server}\\s+stopped`, 'm').test(await devstack('status'))) {
    throw new Error(`this suite stops ${server} with scripts/devstack: the env must point at devstack's servers`);
  }
  try {
    return await during();
  } finally {
    await devstack('up', server);
  }
}

/** The gateway's API-call record counters, from its /metrics. */
let gatewayMetricsUrl = '';
async function apiCallRecords(): Promise<{ published: number; dropped: number }> {
  const text = await (await fetch(gatewayMetricsUrl)).text();
  const value = (outcome: string) =>
    Number(new RegExp(`^agora_api_call_records_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { published: value('published'), dropped: value('dropped') };
}

const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const began = Date.now();
  const value = await work();
  return { value, ms: Date.now() - began };
};

describeWithService(
  ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'KAFKA_BROKERS', 'MONGO_URL'],
  'chaos: single faults in distributed mode',
  (serverUrl) => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    let stack: StackProcesses;
    let gatewayUrl: string;
    let alice: { token: string; email: string };
    let panelId: string;
    let postId: string;
    const password = 'Correct-horse-battery-9';
    const measured: Record<string, unknown> = {};

    const call = <D = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string) =>
      gql<D>(gatewayUrl, query, variables, token ? { authorization: `Bearer ${token}` } : {});
    const ok = <D>(res: GraphQLResponse<D>): D => {
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!;
    };

    /** How many of alice's API calls named `operationName` the analytics subgraph has stored. */
    const storedCalls = async (operationName: string) => {
      const answer = await call<{ me: { recentApiCalls: { edges: unknown[] } } }>(
        'query($name: String) { me { recentApiCalls(first: 50, operationName: $name) { edges { cursor } } } }',
        { name: operationName },
        alice.token,
      );
      return answer.data?.me?.recentApiCalls.edges.length ?? 0;
    };

    beforeAll(async () => {
      await devstack('up'); // every server running before the first fault
      database = await freshDatabase(serverUrl);
      stack = await startStack({
        databaseUrl: database.url,
        subgraphs: ['auth', 'users', 'forum', 'comments', 'pictures', 'analytics'],
        forumReplicas: 2,
      });
      gatewayUrl = stack.gatewayUrl;
      gatewayMetricsUrl = gatewayUrl.replace(/\/graphql$/, '/metrics');

      const handle = `a${randomUUID().slice(0, 8)}`;
      alice = { email: `${handle}@example.test`, token: '' };
      alice.token = ok(
        await call<{ register: { accessToken: string } }>(
          'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
          { input: { email: alice.email, password, handle } },
        ),
      ).register.accessToken;
      panelId = ok(
        await call<{ createPanel: { id: string } }>(
          'mutation($n: String!) { createPanel(input: { name: $n }) { id } }',
          { n: `Chaos ${handle}` },
          alice.token,
        ),
      ).createPanel.id;
      postId = ok(
        await call<{ createPost: { id: string } }>(
          'mutation($p: ID!) { createPost(input: { panelId: $p, title: "Steady", body: "b" }) { id } }',
          { p: panelId },
          alice.token,
        ),
      ).createPost.id;
    }, 240_000);

    afterAll(async () => {
      stack?.kill();
      await devstack('up');
      await database?.drop();
      console.log(`chaos measurements: ${JSON.stringify(measured)}`);
    }, 240_000);

    const postQuery = 'query($id: ID!) { post(id: $id) { id title author { handle } } }';

    it('killing one of two forum replicas under a read loop fails at most the requests in flight to it', async () => {
      const concurrency = 4;
      let stop = false;
      let ok = 0;
      const failures: unknown[] = [];
      const reader = async () => {
        while (!stop) {
          const response = await call<{ post: { id: string } | null }>(postQuery, { id: postId }).catch(
            (error: unknown) => ({ errors: [{ message: String(error) }] }) as GraphQLResponse<{ post: null }>,
          );
          if (!response.errors && response.data?.post?.id === postId) ok += 1;
          else failures.push(response.errors ?? response.data);
        }
      };
      const readers = Array.from({ length: concurrency }, reader);
      await waitFor('reads flowing', () => ok >= 20);
      stack.processes.get('forum-2')!.kill('SIGKILL');
      const okAtKill = ok;
      await waitFor('reads after the kill', () => ok >= okAtKill + 100, 30_000);
      stop = true;
      await Promise.all(readers);
      measured.replicaKill = { reads: ok + failures.length, failed: failures.length };
      expect(failures.length).toBeLessThanOrEqual(concurrency);
      // The gateway still lists forum as up: one replica of two answers.
      const ready = (await fetch(gatewayUrl.replace(/\/graphql$/, '/readyz')).then((r) => r.json())) as {
        checks: Record<string, { status: string }>;
      };
      expect(ready.checks['subgraph forum']?.status).toBe('up');
    }, 60_000);

    it('Redis stopped: post reads and writes answer within 1 s with correct data, and readiness stays green', async () => {
      // Warm the cache first, so reads would have gone to Redis.
      ok(await call(postQuery, { id: postId }));
      await withOutage('redis', async () => {
        const read = await timed(() => call<{ post: { title: string } }>(postQuery, { id: postId }));
        expect(ok(read.value).post.title).toBe('Steady');
        const created = await timed(() =>
          call<{ createPost: { id: string; title: string } }>(
            'mutation($p: ID!) { createPost(input: { panelId: $p, title: "During Redis outage", body: "b" }) { id title } }',
            { p: panelId },
            alice.token,
          ),
        );
        const newPost = ok(created.value).createPost;
        const updated = await timed(() =>
          call<{ updatePost: { title: string } }>(
            'mutation($id: ID!) { updatePost(id: $id, input: { title: "Renamed without Redis" }) { title } }',
            { id: newPost.id },
            alice.token,
          ),
        );
        expect(ok(updated.value).updatePost.title).toBe('Renamed without Redis');
        const reread = await timed(() => call<{ post: { title: string } }>(postQuery, { id: newPost.id }));
        expect(ok(reread.value).post.title).toBe('Renamed without Redis');
        // Login limits fail open: signing in still works.
        const login = await timed(() =>
          call<{ login: { accessToken: string } }>('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
            i: { email: alice.email, password },
          }),
        );
        expect(ok(login.value).login.accessToken).toEqual(expect.any(String));
        const times = { read: read.ms, create: created.ms, update: updated.ms, reread: reread.ms };
        measured.redisDownMs = { ...times, login: login.ms };
        for (const ms of Object.values(times)) expect(ms).toBeLessThan(1_000);

        const forumReady = await fetch(stack.urls['forum-1']!.replace(/\/graphql$/, '/readyz'));
        expect(forumReady.status).toBe(200);
        expect(await forumReady.json()).toMatchObject({
          status: 'ready',
          checks: { database: { status: 'up', required: true }, cache: { status: 'down', required: false } },
        });
      });
    }, 120_000);

    it('RabbitMQ stopped: uploadPicture answers within 2 s, the picture reaches READY once the broker is back, and its notice arrives', async () => {
      // The owner's own pictureProcessed subscription, open through the outage.
      const processed: { id: string; status: string }[] = [];
      let connected = false;
      const ws = createClient({
        url: gatewayUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${alice.token}` },
        retryAttempts: 0,
        lazy: false,
        on: { connected: () => void (connected = true) },
      });
      ws.subscribe(
        { query: 'subscription { pictureProcessed { id status } }' },
        {
          next: (result) =>
            void processed.push((result.data as { pictureProcessed: { id: string; status: string } }).pictureProcessed),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      await waitFor('the subscription connected', () => connected);
      await sleep(500);
      const upload = () =>
        call<{ uploadPicture: { id: string; status: string } }>(
          'mutation($input: UploadPictureInput!) { uploadPicture(input: $input) { id status } }',
          {
            input: { title: 'During the outage', contentType: 'image/png', dataBase64: smallPng().toString('base64') },
          },
          alice.token,
        );
      const pictureId = await withOutage('rabbitmq', async () => {
        const uploaded = await timed(upload);
        measured.rabbitDownUploadMs = uploaded.ms;
        const picture = ok(uploaded.value).uploadPicture;
        expect(picture.status).toBe('PROCESSING');
        expect(uploaded.ms).toBeLessThan(2_000);
        return picture.id;
      });
      const backAt = Date.now();
      await waitFor(
        'the picture READY',
        async () =>
          (
            await call<{ picture: { status: string } }>('query($id: ID!) { picture(id: $id) { status } }', {
              id: pictureId,
            })
          ).data?.picture?.status === 'READY',
        60_000,
      );
      measured.rabbitReadyAfterReturnMs = Date.now() - backAt;
      // The notice went out after the broker's return and still reached the subscriber, whose
      // gateway had to subscribe again.
      await waitFor(
        'the pictureProcessed notice',
        () => processed.some((p) => p.id === pictureId && p.status === 'READY'),
        30_000,
      );
      measured.rabbitNoticeAfterReturnMs = Date.now() - backAt;
      void ws.dispose();
    }, 240_000);

    it('Kafka stopped: register and login work; the profile and subscriptions catch up once it is back', async () => {
      const events: string[] = [];
      let connected = false;
      const ws = createClient({
        url: gatewayUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        on: { connected: () => void (connected = true) },
      });
      ws.subscribe(
        { query: 'subscription($p: ID) { postAdded(panelId: $p) { title } }', variables: { p: panelId } },
        {
          next: (result) => void events.push((result.data as { postAdded: { title: string } }).postAdded.title),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      await waitFor('the subscription connected', () => connected);
      await sleep(500);

      const handle = `k${randomUUID().slice(0, 8)}`;
      const carol = { email: `${handle}@example.test`, token: '' };
      // The gateway's API-call records go to Kafka too (gateway.requests): none may be lost.
      const recordsBefore = await apiCallRecords();
      await withOutage('kafka', async () => {
        // An existing account signs in as usual, profile and all.
        const login = await timed(() =>
          call<{ login: { accessToken: string; user: { handle: string } } }>(
            'mutation($i: LoginInput!) { login(input: $i) { accessToken user { handle } } }',
            { i: { email: alice.email, password } },
          ),
        );
        expect(ok(login.value).login.accessToken).toEqual(expect.any(String));
        // A new account gets its tokens; its profile, made from the event, is honestly not there yet.
        const registered = await timed(() =>
          call<{ register: { accessToken: string; user: null } }>(
            'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { handle } } }',
            { input: { email: carol.email, password, handle } },
          ),
        );
        expect(registered.value.data?.register.accessToken).toEqual(expect.any(String));
        expect(registered.value.data?.register.user).toBeNull();
        expect(codes(registered.value)).toEqual(['SERVICE_UNAVAILABLE']);
        expect(registered.value.errors![0]!.path).toEqual(['register', 'user']);
        carol.token = registered.value.data!.register.accessToken;
        const carolLogin = await call<{ login: { accessToken: string } }>(
          'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
          { i: { email: carol.email, password } },
        );
        expect(ok(carolLogin).login.accessToken).toEqual(expect.any(String));
        // Writes go on (their events wait in the outbox).
        ok(
          await call(
            'mutation($p: ID!) { createPost(input: { panelId: $p, title: "Written during the Kafka outage", body: "b" }) { id } }',
            { p: panelId },
            alice.token,
          ),
        );
        // A call whose record can be found in analytics once Kafka is back.
        ok(await call('query KafkaOutageCall { me { id } }', {}, alice.token));
        measured.kafkaDownMs = { login: login.ms, register: registered.ms };
      });
      const backAt = Date.now();
      await waitFor(
        "carol's profile",
        async () =>
          (await call<{ me: { handle: string } | null }>('{ me { handle } }', {}, carol.token)).data?.me?.handle ===
          handle,
        60_000,
      );
      const profileAfterMs = Date.now() - backAt;
      // The records of the calls made during the outage (two logins, a register, a post) were
      // kept in the gateway's buffer and published once the broker was back; none dropped.
      await waitFor(
        'the outage calls published',
        async () => (await apiCallRecords()).published >= recordsBefore.published + 4,
        60_000,
      );
      expect((await apiCallRecords()).dropped).toBe(recordsBefore.dropped);
      await waitFor(
        'the outage call stored by analytics',
        async () => (await storedCalls('KafkaOutageCall')) === 1,
        90_000,
      );
      await waitFor(
        'the post written during the outage delivered',
        () => events.includes('Written during the Kafka outage'),
        60_000,
      );
      const outageEventAfterMs = Date.now() - backAt;
      // A new event after the return travels the whole way: outbox, Kafka, the gateway's consumer.
      const sentAt = Date.now();
      ok(
        await call(
          'mutation($p: ID!) { createPost(input: { panelId: $p, title: "After Kafka is back", body: "b" }) { id } }',
          { p: panelId },
          alice.token,
        ),
      );
      await waitFor('the new post delivered', () => events.includes('After Kafka is back'), 30_000);
      measured.kafkaRecoveryMs = { profileAfterMs, outageEventAfterMs, newEventDeliveredMs: Date.now() - sentAt };
      void ws.dispose();
    }, 300_000);

    const analyticsReadyz = () => stack.urls.analytics!.replace(/\/graphql$/, '/readyz');

    it('MongoDB stopped: the API answers as before, and the calls made meanwhile are stored once it is back', async () => {
      // Analytics is the only user of MongoDB: the gateway publishes its call records to Kafka
      // whatever analytics' store does, and analytics' consumer retries until the store is back.
      const recordsBefore = await apiCallRecords();
      await withOutage('ferretdb', async () => {
        for (let i = 0; i < 3; i++) {
          const answer = await timed(() =>
            call<{ me: { id: string } }>('query MongoOutageCall { me { id } }', {}, alice.token),
          );
          expect(ok(answer.value).me.id).toEqual(expect.any(String));
          measured.mongoDownMs = [...((measured.mongoDownMs as number[]) ?? []), answer.ms];
        }
        // Analytics cannot serve without its store: not ready, and it says why.
        const analyticsReady = await fetch(analyticsReadyz());
        expect(analyticsReady.status).toBe(503);
        expect(await analyticsReady.json()).toMatchObject({
          status: 'not ready',
          checks: { documents: { status: 'down', required: true }, 'event log': { status: 'up', required: false } },
        });
      });
      const backAt = Date.now();
      await waitFor(
        'the outage calls stored by analytics',
        async () => (await storedCalls('MongoOutageCall')) === 3,
        120_000,
      );
      measured.mongoStoredAfterReturnMs = Date.now() - backAt;
      expect((await fetch(analyticsReadyz())).status).toBe(200);
      const records = await apiCallRecords();
      expect(records.published).toBeGreaterThanOrEqual(recordsBefore.published + 3);
      expect(records.dropped).toBe(recordsBefore.dropped);
    }, 300_000);
  },
);
