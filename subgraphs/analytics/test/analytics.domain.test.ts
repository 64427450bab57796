import { refusal } from '@agora/kit/testing';
import {
  bucketOf,
  bucketValue,
  percentile,
  PERCENTILE_ABSOLUTE_ERROR_MS,
  PERCENTILE_RELATIVE_ERROR,
  type Histogram,
} from '../src/domain/histogram';
import { bucketId, parseBucketId, pointsOf, usageRange } from '../src/domain/intervals';
import { countsByMinute, piecesOf, rank, rollupDocs, summarize, type CallCountRow } from '../src/domain/rollups';

/** The exact nearest-rank percentile of a list of durations. */
function exact(durations: number[], p: number): number {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}

const withinAccuracy = (estimate: number, truth: number) =>
  Math.abs(estimate - truth) <= Math.max(PERCENTILE_RELATIVE_ERROR * truth, PERCENTILE_ABSOLUTE_ERROR_MS);

describe('latency histograms', () => {
  it('puts a duration in the bucket whose bounds hold it, exact bounds included', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1)).toBe(0);
    expect(bucketOf(1.0001)).toBe(1);
    for (const b of [1, 2, 10, 57, 140, 250]) {
      expect(bucketOf(1.05 ** b)).toBe(b);
      expect(bucketOf(1.05 ** b * 1.0001)).toBe(b + 1);
    }
    expect(bucketOf(1e12)).toBe(400);
  });

  it('reads percentiles within the stated accuracy of the exact ones (10 000 random samples, 5 runs)', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 5; run++) {
      // Log-normal-ish latencies from 0.05 ms to minutes, with a few sub-millisecond ones.
      const durations = Array.from({ length: 10_000 }, () => Math.exp(random() * 12 - 3));
      const histogram: Histogram = new Map();
      for (const d of durations) histogram.set(bucketOf(d), (histogram.get(bucketOf(d)) ?? 0) + 1);
      for (const p of [0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
        const estimate = percentile(histogram, p)!;
        const truth = exact(durations, p);
        if (!withinAccuracy(estimate, truth)) throw new Error(`p${p * 100}: ${estimate} vs exact ${truth}`);
      }
    }
  });

  it('answers null for no calls, and the one bucket for one call', () => {
    expect(percentile(new Map(), 0.5)).toBeNull();
    expect(percentile(new Map([[bucketOf(120), 1]]), 0.99)).toBeCloseTo(bucketValue(bucketOf(120)), 3);
  });
});

describe('usage ranges', () => {
  const now = new Date('2026-03-10T12:34:56.789Z');

  it('widens to whole minutes, defaults to the last 24 hours by the hour, and picks the interval by span', () => {
    expect(usageRange({}, now)).toEqual({
      from: new Date('2026-03-09T12:35:00.000Z'),
      to: new Date('2026-03-10T12:35:00.000Z'),
      interval: 'HOUR',
    });
    const hour = usageRange({ from: new Date('2026-03-10T11:34:30Z') }, now);
    expect(hour).toMatchObject({ from: new Date('2026-03-10T11:34:00Z'), interval: 'MINUTE' });
    expect(pointsOf(hour)).toHaveLength(61);
    expect(usageRange({ from: new Date('2026-01-01T00:00:00Z') }, now).interval).toBe('DAY');
  });

  it('refuses an empty range, too many points and unparsable dates, naming the argument', () => {
    expect(refusal(() => usageRange({ from: now, to: now }, now))).toEqual({ code: 'BAD_USER_INPUT', field: 'from' });
    expect(refusal(() => usageRange({ from: new Date('2026-01-01Z'), interval: 'MINUTE' }, now))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'interval',
    });
    expect(refusal(() => usageRange({ to: new Date('nope') }, now))).toEqual({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('names buckets by interval and start, and reads the names back', () => {
    const id = bucketId('HOUR', new Date('2026-03-10T12:00:00Z'));
    expect(id).toBe('HOUR:2026-03-10T12:00:00.000Z');
    expect(parseBucketId(id)).toEqual({
      from: new Date('2026-03-10T12:00:00Z'),
      to: new Date('2026-03-10T13:00:00Z'),
      interval: 'HOUR',
    });
    expect(refusal(() => parseBucketId('HOUR:2026-03-10T12:30:00Z'))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refusal(() => parseBucketId('WEEK:2026-03-10T00:00:00Z'))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('rollups', () => {
  const minute = new Date('2026-03-10T12:34:00Z');
  const row = (over: Partial<CallCountRow>): CallCountRow => ({
    minute,
    name: 'Feed',
    type: 'query',
    clientName: 'web',
    clientVersion: '1.0',
    k: 10,
    outcome: 'OK',
    n: 1,
    ...over,
  });

  it('cuts a minute by all, operation and client, with error cells, and sums back to the same totals', () => {
    const rows = [
      row({ n: 3 }),
      row({ k: 20, outcome: 'ERROR', n: 2 }),
      row({ name: 'Post', clientName: null, clientVersion: null, k: 5, n: 4 }),
    ];
    const docs = rollupDocs('minute', minute, countsByMinute(rows).get(minute.getTime())!);
    expect(docs.map((d) => d._id).sort()).toEqual([
      `${minute.toISOString()}|all|[]`,
      `${minute.toISOString()}|client|["web","1.0"]`,
      `${minute.toISOString()}|client|[null,null]`,
      `${minute.toISOString()}|op|["Feed","query"]`,
      `${minute.toISOString()}|op|["Post","query"]`,
    ]);
    const all = docs.find((d) => d.scope === 'all')!;
    expect(all.cells.map((c) => [c.k, c.n])).toEqual([
      [-1, 2],
      [5, 4],
      [10, 3],
      [20, 2],
    ]);
    expect(all.cells[0]).toMatchObject({ m: minute, h: new Date('2026-03-10T12:00:00Z'), d: new Date('2026-03-10Z') });

    const summary = summarize(
      all.cells.map((c) => ({ at: c.h!, k: c.k, n: c.n })),
      [new Date('2026-03-10T12:00:00Z')],
    );
    expect(summary).toMatchObject({ totalCalls: 9, errorCount: 2, errorRate: 2 / 9 });
    const ops = rank(
      docs
        .filter((d) => d.scope === 'op')
        .flatMap((d) => d.cells.map((c) => ({ key: { name: c.name, type: c.type }, k: c.k, n: c.n }))),
      10,
    );
    expect(ops.map((o) => [o.name, o.count, o.errors])).toEqual([
      ['Feed', 5, 2],
      ['Post', 4, 0],
    ]);
  });

  it('reads a range from whole days, then whole hours, then the minutes left at its edges', () => {
    const range = {
      from: new Date('2026-03-08T22:30:00Z'),
      to: new Date('2026-03-10T01:15:00Z'),
      interval: 'DAY' as const,
    };
    const pieces = piecesOf(range).map(
      (p) => `${p.level} ${p.from.toISOString().slice(5, 16)}..${p.to.toISOString().slice(5, 16)}`,
    );
    expect(pieces).toEqual([
      'minute 03-08T22:30..03-08T23:00',
      'hour 03-08T23:00..03-09T00:00',
      'day 03-09T00:00..03-10T00:00',
      'hour 03-10T00:00..03-10T01:00',
      'minute 03-10T01:00..03-10T01:15',
    ]);
    expect(piecesOf({ ...range, interval: 'HOUR' }).map((p) => p.level)).toEqual(['minute', 'hour', 'minute']);
    expect(piecesOf({ ...range, interval: 'MINUTE' }).map((p) => p.level)).toEqual(['minute']);
    // An hourly rollup of that hour, from minute documents summed the way the store sums them.
    const hour = new Date('2026-03-10T12:00:00Z');
    const [all] = rollupDocs('hour', hour, [{ scope: 'all', dims: {}, k: 4, n: 2 }]);
    expect(all).toEqual({
      _id: `${hour.toISOString()}|all|[]`,
      at: hour,
      scope: 'all',
      cells: [{ h: hour, d: new Date('2026-03-10Z'), k: 4, n: 2 }],
    });
  });

  it('fills points without calls with zeros, oldest first', () => {
    const points = [new Date('2026-03-10T12:00:00Z'), new Date('2026-03-10T13:00:00Z')];
    const summary = summarize([{ at: points[1]!, k: 3, n: 2 }], points);
    expect(summary.timeseries).toEqual([
      { at: points[0], count: 0, errors: 0, p95Ms: null },
      { at: points[1], count: 2, errors: 0, p95Ms: expect.any(Number) },
    ]);
    expect(summary.p50Ms).toBeCloseTo(bucketValue(3), 3);
  });
});
