/**
 * `apiUsage` from per-minute rollups against the same answer computed from the raw calls
 * (aggregations over every call of the range), on CALLS stored calls, in the same run and on
 * the same store. `npm run bench:analytics`.
 *
 * Stores: the embedded one, and MongoDB-wire (MONGO_URL, e.g. devstack's FerretDB) when set,
 * in a database of its own that is dropped afterwards. STORES=memory or STORES=mongo picks one.
 * Each query is what the apiUsage resolver runs for a dashboard: totals, percentiles and the
 * timeseries, top operations and top clients.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { MemoryDocumentStore } from '@agora/kit/documents/memory';
import { MongoDocumentStore } from '@agora/kit/documents/mongo';
import type { DocumentStore } from '@agora/kit/documents/port';
import { bucketStart, usageRange, type UsageRange } from '@agora/analytics/domain/intervals';
import { callFromEvent, type ApiCallData } from '@agora/analytics/domain/calls';
import { rank, summarize } from '@agora/analytics/domain/rollups';
import { pointsOf } from '@agora/analytics/domain/intervals';
import { ApiCallStore, CALLS } from '@agora/analytics/store/calls';
import { RollupStore } from '@agora/analytics/store/rollups';
import { summary, writeResult } from './lib';

const CALL_COUNT = Number(process.env.CALLS ?? 200_000);
const HOURS = Number(process.env.HOURS ?? 48);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const OPERATIONS = [
  'Feed',
  'Post',
  'Panel',
  'Panels',
  'Comments',
  'AddComment',
  'CreatePost',
  'Me',
  'Search',
  'Pictures',
];
const CLIENTS = [
  ['web', '1.4.0'],
  ['web', '1.5.0'],
  ['ios', '3.2'],
  [null, null],
] as const;

/** Deterministic pseudo-random numbers: every run stores the same calls. */
function random(seed: number) {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function calls(end: Date): ApiCallData[] {
  const next = random(7);
  const span = HOURS * 3_600_000;
  return Array.from({ length: CALL_COUNT }, (_, i) => {
    const op = OPERATIONS[Math.floor(next() * next() * OPERATIONS.length)]!;
    const [clientName, clientVersion] = CLIENTS[Math.floor(next() * CLIENTS.length)]!;
    const failed = next() < 0.04;
    return {
      id: randomUUID(),
      at: new Date(end.getTime() - span + Math.floor((i / CALL_COUNT) * span)).toISOString(),
      phase: 'REQUEST',
      transport: 'HTTP',
      operationName: op,
      operationType: op.startsWith('Add') || op.startsWith('Create') ? 'mutation' : 'query',
      documentHash: 'f'.repeat(64),
      clientName,
      clientVersion,
      userId: next() < 0.5 ? null : randomUUID(),
      apiKeyId: null,
      durationMs: Math.exp(next() * 6 - 0.5),
      outcome: failed ? 'ERROR' : 'OK',
      errorCodes: failed ? ['BAD_USER_INPUT'] : [],
      subgraphs: [{ name: 'forum', durationMs: 1, calls: 1 }],
      responseBytes: 512,
      requestId: null,
    };
  });
}

/** The dashboard's apiUsage from the rollups: what the resolver runs. */
async function fromRollups(rollups: RollupStore, range: UsageRange) {
  const [totals, operations, clients] = await Promise.all([
    rollups.summary(range),
    rollups.operations(range, 20),
    rollups.clients(range, 20),
  ]);
  return { totals, operations, clients };
}

/** The same answer from the raw calls: the database aggregates every call of the range. */
async function fromRawCalls(docs: DocumentStore, range: UsageRange) {
  const match = { at: { $gte: range.from, $lt: range.to }, counted: true };
  type Row = { _id: Record<string, unknown> & { k: number; minute?: Date }; n: number };
  const agg = async (extra: object, by: Record<string, `$${string}`>) =>
    (await docs.aggregate(CALLS, [
      { $match: { ...match, ...extra } },
      { $group: { _id: { ...by, k: '$k' }, n: { $sum: 1 } } },
    ])) as Row[];
  const cut = async (by: Record<string, `$${string}`>) => {
    const [all, errors] = await Promise.all([agg({}, by), agg({ outcome: 'ERROR' }, by)]);
    return [...all, ...errors.map((row) => ({ ...row, _id: { ...row._id, k: -1 } }))];
  };
  const [timeRows, opRows, clientRows] = await Promise.all([
    cut({ minute: '$minute' }),
    cut({ name: '$operationName', type: '$operationType' }),
    cut({ name: '$clientName', version: '$clientVersion' }),
  ]);
  const keyed = (rows: Row[], fields: string[]) =>
    rows.map(({ _id, n }) => ({ key: Object.fromEntries(fields.map((f) => [f, _id[f] ?? null])), k: _id.k, n }));
  return {
    totals: summarize(
      timeRows.map(({ _id, n }) => ({ at: bucketStart(_id.minute as Date, range.interval), k: _id.k, n })),
      pointsOf(range),
    ),
    operations: rank(keyed(opRows, ['name', 'type']), 20),
    clients: rank(keyed(clientRows, ['name', 'version']), 20),
  };
}

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

async function benchStore(name: string, docs: DocumentStore) {
  const store = new ApiCallStore(docs);
  const rollups = new RollupStore(docs);
  await store.ensureIndexes(3650);
  await rollups.ensureIndexes(3650);
  const end = bucketStart(new Date(), 'HOUR');
  const records = calls(end).map(callFromEvent);

  const seeded = await time(async () => {
    for (let i = 0; i < records.length; i += 2_000) {
      const batch = records.slice(i, i + 2_000);
      await store.save(batch);
      await rollups.markDirty(batch.map((r) => r.minute));
    }
  });
  const rolled = await time(async () => {
    while ((await rollups.rollUp()).length > 0);
  });
  console.log(
    `${name}: stored ${records.length} calls in ${(seeded.ms / 1000).toFixed(1)} s, rolled up in ${(rolled.ms / 1000).toFixed(1)} s`,
  );

  const ranges: Record<string, UsageRange> = {
    [`${HOURS} h by the hour`]: usageRange(
      { from: new Date(end.getTime() - HOURS * 3_600_000), to: end, interval: 'HOUR' },
      end,
    ),
    'last 3 h by the minute': usageRange(
      { from: new Date(end.getTime() - 3 * 3_600_000), to: end, interval: 'MINUTE' },
      end,
    ),
  };
  const results: Record<string, unknown> = {};
  for (const [label, range] of Object.entries(ranges)) {
    // Same answer both ways, or the comparison means nothing.
    const [a, b] = [await fromRollups(rollups, range), await fromRawCalls(docs, range)];
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${name} ${label}: rollups and raw calls disagree`);
    const rollupMs: number[] = [];
    const rawMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rollupMs.push((await time(() => fromRollups(rollups, range))).ms);
      rawMs.push((await time(() => fromRawCalls(docs, range))).ms);
    }
    const [fast, slow] = [summary(rollupMs), summary(rawMs)];
    results[label] = {
      callsInRange: a.totals.totalCalls,
      rollups: fast,
      rawCalls: slow,
      speedup: Math.round((slow.p50Ms / fast.p50Ms) * 10) / 10,
    };
    console.log(
      `${name}, ${label} (${a.totals.totalCalls} calls): rollups p50 ${fast.p50Ms} ms, raw calls p50 ${slow.p50Ms} ms: ${String((results[label] as { speedup: number }).speedup)}× faster`,
    );
  }
  return {
    calls: records.length,
    seedSeconds: Math.round(seeded.ms / 100) / 10,
    rollUpSeconds: Math.round(rolled.ms / 100) / 10,
    ranges: results,
  };
}

async function main() {
  const wanted = (process.env.STORES ?? 'memory,mongo').split(',');
  const output: Record<string, unknown> = {
    calls: CALL_COUNT,
    hours: HOURS,
    rounds: ROUNDS,
    date: new Date().toISOString(),
  };
  if (wanted.includes('memory')) output.memory = await benchStore('embedded store', new MemoryDocumentStore());
  if (wanted.includes('mongo')) {
    if (!process.env.MONGO_URL)
      console.log('mongo: skipped (MONGO_URL is not set; `npm run devstack -- up` and load its env)');
    else {
      const url = new URL(process.env.MONGO_URL);
      url.pathname = `/bench_analytics_${randomUUID().replaceAll('-', '')}`;
      const docs = await MongoDocumentStore.open(url.toString());
      try {
        output.mongo = await benchStore('MongoDB wire', docs);
      } finally {
        await docs.close();
        const admin = await mongoose.createConnection(url.toString()).asPromise();
        await admin.dropDatabase();
        await admin.close();
      }
    }
  }
  console.log(`wrote ${writeResult('analytics', output)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
