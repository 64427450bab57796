import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeJwt } from 'jose';
import { startEmbeddedStack, type EmbeddedStack } from '@agora/embedded/stack';
import type { EventEnvelope } from '@agora/kit/events/port';
import { REPO_ROOT } from '@agora/kit/paths';
import { codes, gql, waitFor, type GraphQLResponse } from '@agora/kit/testing';
import {
  PERCENTILE_ABSOLUTE_ERROR_MS,
  PERCENTILE_RELATIVE_ERROR,
} from '../../../subgraphs/analytics/src/domain/histogram';
import { sseClient, sseSubscribe, wsClient, wsSubscribe } from '../../../gateway/test/subscription-clients';

const PASSWORD = 'Correct-horse-battery-9';

interface User {
  id: string;
  bearer: string;
  refreshToken: string;
}

interface CallNode {
  id: string;
  at: string;
  phase: string;
  transport: string;
  operationName: string | null;
  operationType: string | null;
  clientName: string | null;
  outcome: 'OK' | 'ERROR';
  errorCodes: string[];
  durationMs: number;
  user: { id: string } | null;
  subgraphs: { name: string; calls: number }[];
}

const CALL_FIELDS =
  'id at phase transport operationName operationType clientName outcome errorCodes durationMs user { id } subgraphs { name calls }';

const exact = (durations: number[], p: number) => {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
};
const withinAccuracy = (estimate: number, truth: number) =>
  Math.abs(estimate - truth) <= Math.max(PERCENTILE_RELATIVE_ERROR * truth, PERCENTILE_ABSOLUTE_ERROR_MS);

/**
 * API analytics end to end in the embedded stack: calls through the gateway (HTTP, WebSocket,
 * SSE) recorded, consumed by the analytics subgraph, rolled up and read back by an admin made
 * by the server-side grant step.
 */
describe('API analytics through the gateway', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agora-analytics-e2e-'));
  let stack: EmbeddedStack;
  let url: string;
  let boss: User;
  let ada: User;
  let bob: User;
  const clients: { dispose(): unknown }[] = [];

  const start = async () => {
    stack = await startEmbeddedStack({ dataDir, gatewayPort: 0, subgraphPort: () => 0 });
    url = stack.gateway.graphqlUrl;
  };
  const call = <D>(query: string, variables?: Record<string, unknown>, user?: User, headers = {}) =>
    gql<D>(url, query, variables, { ...headers, ...(user ? { authorization: user.bearer } : {}) });
  const ok = async <D>(query: string, variables?: Record<string, unknown>, user?: User) => {
    const res = await call<D>(query, variables, user);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  type Payload = { accessToken: string; refreshToken: string; user: { id: string } };
  const asUser = (p: Payload): User => ({
    id: p.user.id,
    bearer: `Bearer ${p.accessToken}`,
    refreshToken: p.refreshToken,
  });
  const signUp = async (handle: string) =>
    asUser(
      (
        await ok<{ register: Payload }>(
          'mutation($i: RegisterInput!) { register(input: $i) { accessToken refreshToken user { id } } }',
          { i: { email: `${handle}@example.com`, password: PASSWORD, handle } },
        )
      ).register,
    );
  const logIn = async (handle: string) =>
    asUser(
      (
        await ok<{ login: Payload }>(
          'mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken user { id } } }',
          { i: { email: `${handle}@example.com`, password: PASSWORD } },
        )
      ).login,
    );
  const recentCalls = async (args: Record<string, unknown>, user = boss) =>
    (
      await ok<{ recentApiCalls: { edges: { node: CallNode }[] } }>(
        `query($first: Int, $operationName: String, $outcome: ApiCallOutcome) {
          recentApiCalls(first: $first, operationName: $operationName, outcome: $outcome) { edges { node { ${CALL_FIELDS} } } }
        }`,
        args,
        user,
      )
    ).recentApiCalls.edges.map((e) => e.node);
  /** The records of an operation, once there are `count` of them (newest first). */
  const recordsOf = async (operationName: string, count: number): Promise<CallNode[]> => {
    let calls: CallNode[] = [];
    await waitFor(`${count} records of ${operationName}`, async () => {
      calls = await recentCalls({ operationName });
      return calls.length === count;
    });
    return calls;
  };
  const usage = (args: Record<string, unknown>, user = boss) =>
    call<{
      apiUsage: {
        totalCalls: number;
        errorCount: number;
        byOperation: { name: string; count: number; errors: number; p50Ms: number; p95Ms: number }[];
        byClient: { name: string | null; count: number; errors: number }[];
        timeseries: { at: string; count: number }[];
      };
    }>(
      `query($from: DateTime) { apiUsage(from: $from) {
        totalCalls errorCount
        byOperation(first: 100) { name count errors p50Ms p95Ms }
        byClient(first: 100) { name count errors }
        timeseries { at count }
      } }`,
      args,
      user,
    );

  beforeAll(async () => {
    // Once, the accounts listed here became admin by registering: that must grant nothing now.
    process.env.ADMIN_EMAILS = 'boss@example.com';
    await start();
    boss = await signUp('boss');
    ada = await signUp('ada');
    bob = await signUp('bob');
  }, 120_000);
  afterAll(async () => {
    delete process.env.ADMIN_EMAILS;
    for (const client of clients) await client.dispose();
    await stack?.close();
  });

  it('grants admin only through the documented step: registering a listed address gives nothing', async () => {
    expect(decodeJwt(boss.bearer.slice(7)).roles).toEqual(['user']);
    expect(codes(await usage({}))).toEqual(['FORBIDDEN']);

    // npm run admin:grant -- boss@example.com, on the stopped stack's data (PGlite: one process).
    await stack.close();
    // This stack is embedded (PGlite under dataDir): devstack's DATABASE_URL, when npm test
    // loaded it, would send the grant to PostgreSQL instead.
    const { DATABASE_URL: _postgres, ...env } = process.env;
    const grant = spawnSync(
      resolve(REPO_ROOT, 'node_modules/.bin/tsx'),
      ['subgraphs/auth/src/admin-grant.ts', 'boss@example.com'],
      { cwd: REPO_ROOT, env: { ...env, DATA_DIR: dataDir, PORT_AUTH: '1' }, encoding: 'utf8' },
    );
    expect({ status: grant.status, out: grant.stdout.trim() }).toEqual({
      status: 0,
      out: 'boss@example.com: granted the admin role (it applies from the next login or token refresh)',
    });
    await start();
    boss = await logIn('boss');
    expect(decodeJwt(boss.bearer.slice(7)).roles).toEqual(['user', 'admin']);
    expect((await usage({})).errors).toBeUndefined();
  }, 120_000);

  it('counts 100 operations exactly, with their errors, and p50/p95 within the stated accuracy', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const answers: number[] = [];
    const seenCodes = new Set<string>();
    for (let i = 0; i < 100; i++) {
      // Every 7th asks for more than a page may hold: BAD_USER_INPUT.
      const res = await call(
        'query Acceptance100($n: Int) { panels(first: $n) { edges { node { id } } } }',
        { n: i % 7 === 0 ? 1000 : 5 },
        i % 2 ? ada : undefined,
        { 'apollographql-client-name': 'acceptance', 'apollographql-client-version': '1' },
      );
      answers.push(res.errors ? 1 : 0);
      for (const error of res.errors ?? []) seenCodes.add(String(error.extensions?.code));
    }
    const failed = answers.reduce((a, b) => a + b, 0);
    expect(failed).toBe(15);

    const counted = await waitFor(
      'the 100 calls rolled up',
      async () => {
        const res = await usage({ from: since });
        const op = res.data?.apiUsage.byOperation.find((o) => o.name === 'Acceptance100');
        return op?.count === 100 ? res.data!.apiUsage : undefined;
      },
      20_000,
    );
    const op = counted!.byOperation.find((o) => o.name === 'Acceptance100')!;
    expect(op.errors).toBe(15);
    expect(counted!.byClient.find((c) => c.name === 'acceptance')).toMatchObject({ count: 100, errors: 15 });
    // Every other call of the range is counted too: the totals are the sums of the parts.
    expect(counted!.totalCalls).toBe(counted!.byOperation.reduce((n, o) => n + o.count, 0));
    expect(counted!.errorCount).toBe(counted!.byOperation.reduce((n, o) => n + o.errors, 0));
    expect(counted!.timeseries.reduce((n, p) => n + p.count, 0)).toBe(counted!.totalCalls);

    const raw = await recentCalls({ first: 100, operationName: 'Acceptance100' });
    expect(raw).toHaveLength(100);
    // Each failed call is logged with the code its client got (the limits refuse first: 1000).
    expect(seenCodes.size).toBeGreaterThan(0);
    const failedCalls = raw.filter((c) => c.outcome === 'ERROR');
    expect(failedCalls).toHaveLength(15);
    expect(new Set(failedCalls.flatMap((c) => c.errorCodes))).toEqual(seenCodes);
    expect(raw.filter((c) => c.user?.id === ada.id)).toHaveLength(50);
    // Repeats are answered by the gateway's response cache, which calls no subgraph; the first
    // of each (variables, viewer) did, and its record names them.
    expect(
      raw.filter((c) => c.outcome !== 'ERROR' && c.subgraphs.some((s) => s.name === 'forum')).length,
    ).toBeGreaterThan(0);
    const durations = raw.map((c) => c.durationMs);
    for (const [p, value] of [
      [0.5, op.p50Ms],
      [0.95, op.p95Ms],
    ] as const) {
      if (!withinAccuracy(value, exact(durations, p))) {
        throw new Error(`p${p * 100} ${value} is not within the stated accuracy of ${exact(durations, p)}`);
      }
    }
  }, 60_000);

  it('keeps usage for admins and shows each user their own calls only', async () => {
    await ok('query BobsOwn { panels(first: 1) { edges { cursor } } }', undefined, bob);
    expect(codes(await usage({}, ada))).toEqual(['FORBIDDEN']);
    expect(codes(await call('{ recentApiCalls { edges { cursor } } }', undefined, ada))).toEqual(['FORBIDDEN']);
    expect(codes(await call('{ recentApiCalls { edges { cursor } } }'))).toEqual(['UNAUTHENTICATED']);

    const own = async (user: User) =>
      (
        await ok<{ me: { recentApiCalls: { edges: { node: CallNode }[] } } }>(
          `{ me { recentApiCalls(first: 100) { edges { node { ${CALL_FIELDS} } } } } }`,
          undefined,
          user,
        )
      ).me.recentApiCalls.edges.map((e) => e.node);
    await waitFor('bob’s call stored', async () => (await own(bob)).some((c) => c.operationName === 'BobsOwn'));
    const adas = await own(ada);
    expect(adas.length).toBeGreaterThanOrEqual(50);
    expect(adas.every((c) => c.user?.id === ada.id)).toBe(true);
    expect((await own(bob)).every((c) => c.user?.id === bob.id)).toBe(true);
    // Someone else's calls: refused, even through the user field.
    expect(
      codes(
        await call(`query($id: ID) { user(id: $id) { recentApiCalls { edges { cursor } } } }`, { id: bob.id }, ada),
      ),
    ).toEqual(['FORBIDDEN']);
  });

  it('records WebSocket and SSE operations, and each subscription’s start and end', async () => {
    const ws = wsClient(url, ada.bearer);
    clients.push(ws);
    const query = wsSubscribe(ws, 'query OverWs { panels(first: 1) { edges { cursor } } }');
    await waitFor('the WebSocket query', () => query.completed);
    const sub = wsSubscribe(ws, 'subscription WatchPosts { postAdded { id } }');
    await waitFor('the subscription start', async () =>
      (await recentCalls({ operationName: 'WatchPosts' })).some((c) => c.phase === 'SUBSCRIPTION_START'),
    );
    sub.stop();
    const sse = sseClient(url, { authorization: bob.bearer });
    clients.push(sse);
    const overSse = sseSubscribe(sse, 'query OverSse { panels(first: 1) { edges { cursor } } }');
    await waitFor('the SSE query', () => overSse.completed);

    const watch = await recordsOf('WatchPosts', 2);
    expect(watch.map((c) => [c.phase, c.transport, c.operationType, c.user?.id])).toEqual([
      ['SUBSCRIPTION_END', 'WS', 'subscription', ada.id],
      ['SUBSCRIPTION_START', 'WS', 'subscription', ada.id],
    ]);
    const [overWs] = await recordsOf('OverWs', 1);
    expect(overWs).toMatchObject({ phase: 'REQUEST', transport: 'WS', operationType: 'query', outcome: 'OK' });
    expect(overWs!.subgraphs).toEqual([{ name: 'forum', calls: 1 }]);
    const [viaSse] = await recordsOf('OverSse', 1);
    expect(viaSse).toMatchObject({ transport: 'SSE', user: { id: bob.id }, outcome: 'OK' });
  }, 60_000);

  it('pushes apiUsageUpdated to admins only, and pushes again within 5 s of a new call', async () => {
    const adas = wsClient(url, ada.bearer);
    clients.push(adas);
    const refused = wsSubscribe(adas, 'subscription { apiUsageUpdated { totalCalls } }');
    await waitFor('the refusal', () => refused.errors.length > 0 || refused.results.length > 0);
    expect(JSON.stringify(refused.errors)).toContain('FORBIDDEN');

    const ws = wsClient(url, boss.bearer);
    clients.push(ws);
    const live = wsSubscribe(
      ws,
      'subscription { apiUsageUpdated(interval: MINUTE) { from totalCalls timeseries { at count } } }',
    );
    // Subscriptions start asynchronously: calls until a push arrives, then one more that must show.
    await waitFor(
      'a first push',
      async () => {
        await call('query Ping { panels(first: 1) { edges { cursor } } }');
        return live.results.length > 0;
      },
      15_000,
    );
    const before = live.results.length;
    const sent = Date.now();
    await call('query LiveOne { panels(first: 1) { edges { cursor } } }');
    await waitFor('the push with the new call', () => live.results.length > before, 5_000);
    expect(Date.now() - sent).toBeLessThan(5_000);
    const pushed = live.results.at(-1)!.data as { apiUsageUpdated: { totalCalls: number; timeseries: unknown[] } };
    expect(pushed.apiUsageUpdated.totalCalls).toBeGreaterThan(0);
    expect(pushed.apiUsageUpdated.timeseries).toHaveLength(1);
  }, 60_000);

  it('serves clients through an event-log outage and counts the calls made after it', async () => {
    const events = stack.infra.events;
    const publish = events.publish.bind(events);
    let down = true;
    events.publish = (topic: string, batch: EventEnvelope[]) =>
      down && topic === 'gateway.requests' ? Promise.reject(new Error('broker unreachable')) : publish(topic, batch);
    try {
      for (let i = 0; i < 5; i++) {
        const res: GraphQLResponse = await call('query DuringOutage { panels(first: 1) { edges { cursor } } }');
        expect(res.errors).toBeUndefined();
      }
      await waitFor('a failed publish', () => stack.gateway.usage.stats().failedPublishes > 0);
    } finally {
      down = false;
    }
    await waitFor('the buffer emptied', () => stack.gateway.usage.stats().buffered === 0, 40_000);
    await call('query AfterOutage { panels(first: 1) { edges { cursor } } }');
    const since = new Date(Date.now() - 120_000).toISOString();
    await waitFor(
      'both counted',
      async () => {
        const ops = (await usage({ from: since })).data?.apiUsage.byOperation ?? [];
        return (
          ops.find((o) => o.name === 'DuringOutage')?.count === 5 &&
          ops.find((o) => o.name === 'AfterOutage')?.count === 1
        );
      },
      20_000,
    );
    expect(stack.gateway.usage.stats().dropped).toBe(0);
  }, 90_000);
});
