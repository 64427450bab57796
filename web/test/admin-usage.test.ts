import { keepNewest, mergeBuckets, othersIn, type Bucket, type Report } from '../src/pages/admin/usage';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0);
const bucket = (minute: number, count: number, errors = 0, others = count): Bucket => ({
  at: T0 + minute * MIN,
  count,
  errors,
  p95Ms: count > 0 ? 10 + minute : null,
  others,
});
/** A report of minutes 0..3 from T0, with `counts` per minute. */
const report = (counts: number[], errors: number[] = counts.map(() => 0)): Report => ({
  from: T0,
  totalCalls: counts.reduce((a, b) => a + b, 0),
  errorCount: errors.reduce((a, b) => a + b, 0),
  points: counts.map((count, i) => ({ at: T0 + i * MIN, count, errors: errors[i]!, p95Ms: count ? 5 : null })),
});

describe('the dashboard merges live usage buckets into a loaded report', () => {
  it('replaces a point with a pushed bucket that has more calls, and grows the totals by the difference', () => {
    const merged = mergeBuckets(report([2, 0, 3, 1], [0, 0, 1, 0]), [bucket(3, 4, 2)], MIN);
    expect(merged.points.map((p) => p.count)).toEqual([2, 0, 3, 4]);
    expect(merged.points[3]).toEqual({ at: T0 + 3 * MIN, count: 4, errors: 2, p95Ms: 13 });
    expect(merged.totalCalls).toBe(9);
    expect(merged.errorCount).toBe(3);
    expect(merged.errorRate).toBeCloseTo(3 / 9);
  });

  it('keeps the report when a push is older (no more calls than the report counts)', () => {
    const loaded = report([2, 0, 3, 5]);
    const merged = mergeBuckets(loaded, [bucket(3, 4)], MIN);
    expect(merged.points).toEqual(loaded.points);
    expect(merged.totalCalls).toBe(10);
  });

  it('appends buckets after the last point, filling the minutes between with empty points', () => {
    const merged = mergeBuckets(report([1, 0, 0, 1]), [bucket(6, 2, 1), bucket(4, 1)], MIN);
    expect(merged.points.map((p) => [(p.at - T0) / MIN, p.count])).toEqual([
      [0, 1],
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 1],
      [5, 0],
      [6, 2],
    ]);
    expect(merged.points[5]!.p95Ms).toBeNull();
    expect(merged.totalCalls).toBe(5);
    expect(merged.errorCount).toBe(1);
  });

  it('ignores buckets that start before the report (it counts only part of them)', () => {
    const merged = mergeBuckets(report([1, 1, 1, 1]), [bucket(-60, 50)], MIN);
    expect(merged.totalCalls).toBe(4);
    expect(merged.points).toHaveLength(4);
  });

  it('keeps the newest snapshot of each bucket: the one with more calls', () => {
    let buckets = keepNewest(new Map(), bucket(3, 5));
    buckets = keepNewest(buckets, bucket(3, 4)); // an older push arriving late
    buckets = keepNewest(buckets, bucket(4, 1));
    expect([...buckets.values()].map((b) => [(b.at - T0) / MIN, b.count])).toEqual([
      [3, 5],
      [4, 1],
    ]);
  });

  it("counts a bucket's calls by anything but the dashboards' own operations", () => {
    const ops = [
      { name: 'AdminUsage', count: 3 },
      { name: 'LiveProbe', count: 2 },
      { name: null, count: 4 },
      { name: 'AdminRecentCalls', count: 1 },
      { name: 'AdminUsageUpdated', count: 1 },
    ];
    expect(othersIn(11, ops)).toBe(6);
  });
});
