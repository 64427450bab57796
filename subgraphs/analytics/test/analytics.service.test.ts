import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { apiCallRecorded, apiUsageUpdated, newEvent, type EventEnvelope } from '@agora/contracts/events';
import { MongoDocumentStore } from '@agora/kit/documents/mongo';
import type { DocumentStore } from '@agora/kit/documents/port';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import type { ServiceDefinition } from '@agora/kit/service';
import {
  codes,
  collectDeadLetters,
  describeWithService,
  startServiceForTest,
  waitFor,
  type ServiceUnderTest,
} from '@agora/kit/testing';
import type { Viewer } from '@agora/kit/viewer';
import type { ApiCallData } from '../src/domain/calls';
import { PERCENTILE_ABSOLUTE_ERROR_MS, PERCENTILE_RELATIVE_ERROR } from '../src/domain/histogram';
import { analyticsSettings } from '../src/config';
import { startAnalytics } from '../src/service';
import { ApiCallStore } from '../src/store/calls';
import { RollupStore } from '../src/store/rollups';

/** FerretDB on a busy machine can be slow: waits are generous, they end as soon as the data is there. */
const WAIT = 30_000;
const admin: Viewer = { id: randomUUID(), roles: ['user', 'admin'] };
const ada: Viewer = { id: randomUUID(), roles: ['user'] };
const bob: Viewer = { id: randomUUID(), roles: ['user'] };

/** Fast roll-ups for tests; everything else as configured. */
const analytics: ServiceDefinition = {
  name: 'analytics',
  start: (runtime) => startAnalytics(runtime, { ...analyticsSettings(), rollupIntervalMs: 50 }),
};

let seq = 0;
function call(over: Partial<ApiCallData> = {}): ApiCallData {
  seq += 1;
  return {
    id: randomUUID(),
    at: new Date().toISOString(),
    phase: 'REQUEST',
    transport: 'HTTP',
    operationName: 'Feed',
    operationType: 'query',
    documentHash: 'a'.repeat(64),
    clientName: 'web',
    clientVersion: '1.0',
    userId: null,
    apiKeyId: null,
    durationMs: seq,
    outcome: 'OK',
    errorCodes: [],
    subgraphs: [{ name: 'forum', durationMs: 1.5, calls: 1 }],
    responseBytes: 120,
    requestId: `req-${seq}`,
    ...over,
  };
}
const event = (data: ApiCallData) => apiCallRecorded.build({ subject: data.id, data });

const exact = (durations: number[], p: number) => {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
};
const close = (estimate: number, truth: number) =>
  Math.abs(estimate - truth) <= Math.max(PERCENTILE_RELATIVE_ERROR * truth, PERCENTILE_ABSOLUTE_ERROR_MS);

const USAGE = `query Usage($from: DateTime, $to: DateTime, $interval: ApiUsageInterval) {
  apiUsage(from: $from, to: $to, interval: $interval) {
    from to interval totalCalls errorCount errorRate p50Ms p95Ms p99Ms
    byOperation { name type count errors errorRate p95Ms }
    byClient { name version count errors p95Ms }
    timeseries { at count errors p95Ms }
  }
}`;
const CALLS = `query Calls($first: Int, $after: String, $operationName: String, $outcome: ApiCallOutcome) {
  recentApiCalls(first: $first, after: $after, operationName: $operationName, outcome: $outcome) {
    edges { cursor node { id at phase operationName outcome durationMs errorCodes user { id } subgraphs { name calls } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

type Usage = {
  totalCalls: number;
  errorCount: number;
  p50Ms: number;
  p95Ms: number;
  byOperation: { name: string | null; count: number; errors: number }[];
  byClient: { name: string | null; version: string | null; count: number }[];
  timeseries: { at: string; count: number; errors: number }[];
};
type Calls = {
  recentApiCalls: {
    edges: { cursor: string; node: { id: string; operationName: string; outcome: string; durationMs: number } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

/** The analytics subgraph alone on one document store, fed API-call records on its event log. */
function analyticsSuite(documents: () => Promise<{ store: DocumentStore; drop(): Promise<void> }>) {
  let infra: Infra;
  let svc: ServiceUnderTest;
  let drop: () => Promise<void>;
  let store: DocumentStore;
  const updates: EventEnvelope[] = [];
  // A window of its own for each suite: data of other runs in the same database stays out.
  const base = Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 1_000) * 86_400_000;
  const at = (minute: number, second = 0) => new Date(base + minute * 60_000 + second * 1_000).toISOString();
  const window = { from: at(0), to: at(10) };

  /** Publishes records and waits until all are stored and rolled up. */
  const ingest = async (...records: ApiCallData[]) => {
    await infra.events.publish('gateway.requests', records.map(event));
    const ids = [...new Set(records.map((r) => r.id))];
    await waitFor(
      'the calls',
      async () => (await store.count('api_calls', { _id: { $in: ids } })) === ids.length,
      WAIT,
    );
    await waitFor('the roll-up', async () => (await new RollupStore(store).pending()) === 0, WAIT);
  };

  beforeAll(async () => {
    const docs = await documents();
    store = docs.store;
    drop = docs.drop;
    const memory = embeddedInfra();
    infra = { ...memory, documents: store, close: () => memory.close() };
    await infra.events.subscribe({
      group: `updates-${randomUUID()}`,
      topics: ['analytics.usage'],
      handle: async (e) => void updates.push(e),
    });
    svc = await startServiceForTest(analytics, { infra });
  }, 60_000);
  afterAll(async () => {
    await svc?.close();
    await infra?.close();
    await store?.close();
    await drop?.();
  });

  it('counts calls exactly, by operation, client and minute, with percentiles within the stated accuracy', async () => {
    const durations: number[] = [];
    const calls: ApiCallData[] = [];
    for (let i = 0; i < 60; i++) {
      const durationMs = i % 10 === 0 ? 0.4 : 3 + ((i * 37) % 200) * 1.7;
      durations.push(durationMs);
      calls.push(
        call({
          at: at(i % 3, i % 50),
          durationMs,
          operationName: i % 4 === 0 ? 'CreatePost' : 'Feed',
          operationType: i % 4 === 0 ? 'mutation' : 'query',
          clientName: i % 5 === 0 ? null : 'web',
          clientVersion: i % 5 === 0 ? null : '1.0',
          outcome: i % 6 === 0 ? 'ERROR' : 'OK',
          errorCodes: i % 6 === 0 ? ['BAD_USER_INPUT'] : [],
        }),
      );
    }
    // Subscription ends are kept but not counted as calls.
    const end = call({ at: at(1), phase: 'SUBSCRIPTION_END', durationMs: 9_000_000, operationType: 'subscription' });
    await ingest(...calls, end);

    const res = await svc.call<{ apiUsage: Usage }>(admin, USAGE, { ...window, interval: 'MINUTE' });
    expect(res.errors).toBeUndefined();
    const usage = res.data!.apiUsage;
    expect(usage).toMatchObject({ totalCalls: 60, errorCount: 10, errorRate: 10 / 60 });
    for (const [p, value] of [
      [0.5, usage.p50Ms],
      [0.95, usage.p95Ms],
    ] as const) {
      if (!close(value, exact(durations, p))) throw new Error(`p${p * 100}: ${value} vs exact ${exact(durations, p)}`);
    }
    expect(usage.byOperation.map((o) => [o.name, o.count, o.errors])).toEqual([
      ['Feed', 45, 5],
      ['CreatePost', 15, 5],
    ]);
    expect(usage.byClient.map((c) => [c.name, c.version, c.count])).toEqual([
      ['web', '1.0', 48],
      [null, null, 12],
    ]);
    expect(usage.timeseries).toHaveLength(10);
    expect(usage.timeseries.slice(0, 4).map((p) => [p.at, p.count, p.errors])).toEqual([
      [at(0), 20, 10],
      [at(1), 20, 0],
      [at(2), 20, 0],
      [at(3), 0, 0],
    ]);

    // The rollups of every level answer exactly what an aggregation over the raw calls answers.
    const rollups = new RollupStore(store);
    for (const [from, to, interval] of [
      [at(0), at(10), 'MINUTE'],
      [at(-120), at(120), 'HOUR'],
      [at(-60 * 24), at(60 * 24 * 2), 'DAY'],
    ] as const) {
      const range = { from: new Date(from), to: new Date(to), interval };
      const [fromRollups, fromRaw] = [await rollups.summary(range), await rollups.summaryFromRawCalls(range)];
      expect({ interval, ...fromRollups }).toEqual({ interval, ...fromRaw });
      expect(fromRollups.totalCalls).toBe(60);
    }

    // Changed buckets were announced: two minutes and the day (hours are not checked).
    const ids = updates.map((u) => apiUsageUpdated.parse(u).id);
    expect(ids).toEqual(
      expect.arrayContaining([`MINUTE:${at(0)}`, `MINUTE:${at(2)}`, `DAY:${at(0).slice(0, 10)}T00:00:00.000Z`]),
    );
  });

  it('stores a call once however often its event is delivered', async () => {
    const once = call({ at: at(5), operationName: 'Twice' });
    const again = { ...event(once), id: randomUUID() };
    await infra.events.publish('gateway.requests', [event(once), event(once), again]);
    // Consumed in order: once the next call is in, every delivery of the first has been handled.
    await ingest(call({ at: at(5, 1), operationName: 'Next' }));
    const res = await svc.call<Calls>(admin, CALLS, { operationName: 'Twice' });
    expect(res.data!.recentApiCalls.edges.map((e) => e.node.id)).toEqual([once.id]);
    const usage = await svc.call<{ apiUsage: Usage }>(admin, USAGE, { from: at(5), to: at(6) });
    expect(usage.data!.apiUsage.totalCalls).toBe(2);
  });

  it('dead-letters a record that does not fit the catalogue, and goes on', async () => {
    const letters = await collectDeadLetters(infra.events, 'analytics');
    const unfit = newEvent({ type: 'api.call', source: 'gateway', subject: 'x', data: { id: 'x', durationMs: -1 } });
    const fine = call({ at: at(6), operationName: 'AfterUnfit' });
    await infra.events.publish('gateway.requests', [unfit, event(fine)]);
    await waitFor('the dead letter', () => letters.length === 1, WAIT);
    expect(letters[0]).toMatchObject({ group: 'analytics', topic: 'gateway.requests', event: { id: unfit.id } });
    expect(letters[0]!.reason).toMatch(/durationMs|at/);
    await waitFor(
      'the next call',
      async () => {
        const res = await svc.call<Calls>(admin, CALLS, { operationName: 'AfterUnfit' });
        return res.data?.recentApiCalls.edges.length === 1;
      },
      WAIT,
    );
  });

  it('pages recent calls newest first, filtered by operation and outcome', async () => {
    const mine = Array.from({ length: 5 }, (_, i) =>
      call({ at: at(7, i), operationName: 'Paged', outcome: i % 2 ? 'ERROR' : 'OK' }),
    );
    await ingest(...mine);
    const first = await svc.call<Calls>(admin, CALLS, { first: 2, operationName: 'Paged' });
    const page1 = first.data!.recentApiCalls;
    expect(page1.edges.map((e) => e.node.id)).toEqual([mine[4]!.id, mine[3]!.id]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await svc.call<Calls>(admin, CALLS, {
      first: 5,
      after: page1.pageInfo.endCursor,
      operationName: 'Paged',
    });
    expect(second.data!.recentApiCalls.edges.map((e) => e.node.id)).toEqual([mine[2]!.id, mine[1]!.id, mine[0]!.id]);
    expect(second.data!.recentApiCalls.pageInfo.hasNextPage).toBe(false);
    const errors = await svc.call<Calls>(admin, CALLS, { operationName: 'Paged', outcome: 'ERROR' });
    expect(errors.data!.recentApiCalls.edges.map((e) => e.node.id)).toEqual([mine[3]!.id, mine[1]!.id]);
    expect(codes(await svc.call(admin, CALLS, { after: 'bogus' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await svc.call(admin, CALLS, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('answers usage to admins only, and each user their own calls only', async () => {
    const adas = [call({ at: at(8), userId: ada.id }), call({ at: at(8, 1), userId: ada.id })];
    await ingest(...adas, call({ at: at(8, 2), userId: bob.id }));

    expect(codes(await svc.call(ada, USAGE, window))).toEqual(['FORBIDDEN']);
    expect(codes(await svc.call(null, USAGE, window))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await svc.call(ada, CALLS, {}))).toEqual(['FORBIDDEN']);
    expect(codes(await svc.call(ada, `{ apiUsageBucket(id: "MINUTE:${at(8)}") { totalCalls } }`))).toEqual([
      'FORBIDDEN',
    ]);

    const own = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { recentApiCalls { edges { node { id user { id } } } } } } }`;
    type Own = { _entities: { recentApiCalls: { edges: { node: { id: string; user: { id: string } } }[] } }[] };
    const mine = await svc.call<Own>(ada, own, { r: [{ __typename: 'User', id: ada.id }] });
    expect(mine.data!._entities[0]!.recentApiCalls.edges.map((e) => e.node.id)).toEqual([adas[1]!.id, adas[0]!.id]);
    expect(mine.data!._entities[0]!.recentApiCalls.edges[0]!.node.user).toEqual({ id: ada.id });
    expect(codes(await svc.call(ada, own, { r: [{ __typename: 'User', id: bob.id }] }))).toEqual(['FORBIDDEN']);
    expect(codes(await svc.call(null, own, { r: [{ __typename: 'User', id: ada.id }] }))).toEqual(['UNAUTHENTICATED']);
    const asAdmin = await svc.call<Own>(admin, own, { r: [{ __typename: 'User', id: bob.id }] });
    expect(asAdmin.data!._entities[0]!.recentApiCalls.edges).toHaveLength(1);

    const bucket = await svc.call<{ apiUsageBucket: { from: string; to: string; totalCalls: number } }>(
      admin,
      `{ apiUsageBucket(id: "MINUTE:${at(8)}") { from to totalCalls timeseries { at count } } }`,
    );
    expect(bucket.data!.apiUsageBucket).toEqual({
      from: at(8),
      to: at(9),
      totalCalls: 3,
      timeseries: [{ at: at(8), count: 3 }],
    });
  });

  it('refuses bad ranges with BAD_USER_INPUT', async () => {
    expect(codes(await svc.call(admin, USAGE, { from: at(5), to: at(5) }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await svc.call(admin, USAGE, { from: at(0), to: at(60 * 24 * 30), interval: 'MINUTE' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await svc.call(admin, `{ apiUsage { byOperation(first: 0) { name } } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await svc.call(admin, `{ apiUsageBucket(id: "MINUTE:yesterday") { totalCalls } }`))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('sweeps calls and rollups past their retention', async () => {
    const calls = new ApiCallStore(store);
    const rollups = new RollupStore(store);
    const DAY = 60 * 24;
    const old = { from: new Date(at(0)), to: new Date(at(10)), interval: 'HOUR' as const };
    expect((await rollups.summary(old)).totalCalls).toBeGreaterThan(0);
    // Calls of the next day, one exactly at the cutoff: they and their buckets of every level
    // (minute, hour, day) start at or after it, so the sweep must keep them.
    const kept = [call({ at: at(DAY), operationName: 'Kept' }), call({ at: at(DAY + 1), operationName: 'Kept' })];
    await ingest(...kept);
    // "Now" such that both retentions have passed for the earlier tests' window, and only for it.
    const cutoff = new Date(at(DAY));
    await calls.sweep(cutoff);
    await rollups.sweep(cutoff);
    expect((await rollups.summary(old)).totalCalls).toBe(0);
    expect((await calls.page({ first: 1, operationName: 'Feed' })).edges).toEqual([]);
    // What is not past its retention is all there: the raw calls and the rollups of each level.
    const left = await calls.page({ first: 10, operationName: 'Kept' });
    expect(left.edges.map((e) => e.node._id).sort()).toEqual(kept.map((c) => c.id).sort());
    for (const [to, interval] of [
      [at(DAY + 2), 'MINUTE'],
      [at(DAY + 60), 'HOUR'],
      [at(2 * DAY), 'DAY'],
    ] as const) {
      const range = { from: cutoff, to: new Date(to), interval };
      expect([interval, (await rollups.summary(range)).totalCalls]).toEqual([interval, 2]);
    }
  });
}

describe('analytics subgraph, embedded document store', () => {
  analyticsSuite(async () => ({ store: embeddedInfra().documents, drop: async () => undefined }));
});

describeWithService('MONGO_URL', 'analytics subgraph, MongoDB wire (FerretDB in devstack)', (url) => {
  analyticsSuite(async () => {
    const database = new URL(url);
    database.pathname = `/test_analytics_${randomUUID().replaceAll('-', '')}`;
    return {
      store: await MongoDocumentStore.open(database.toString()),
      drop: async () => {
        const admin = await mongoose.createConnection(database.toString()).asPromise();
        await admin.dropDatabase();
        await admin.close();
      },
    };
  });
});
