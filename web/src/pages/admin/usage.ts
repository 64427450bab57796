import type { ApiUsageInterval } from '../../__generated__/graphql';

/**
 * The dashboard's arithmetic, without React: the ranges it offers, and how a live bucket
 * (`apiUsageUpdated`) is merged into a loaded report.
 */

export interface Range {
  key: 'hour' | 'day' | 'week';
  label: string;
  ms: number;
  interval: ApiUsageInterval;
}

export const RANGES: Range[] = [
  { key: 'hour', label: 'Last hour', ms: 3_600_000, interval: 'MINUTE' },
  { key: 'day', label: 'Last day', ms: 86_400_000, interval: 'HOUR' },
  { key: 'week', label: 'Last week', ms: 7 * 86_400_000, interval: 'HOUR' },
];

export const INTERVAL_MS: Record<ApiUsageInterval, number> = {
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

export const INTERVAL_WORD: Record<ApiUsageInterval, string> = { MINUTE: 'minute', HOUR: 'hour', DAY: 'day' };

/** One point of the timeseries (`at` in epoch milliseconds). */
export interface Point {
  at: number;
  count: number;
  errors: number;
  p95Ms: number | null;
}

/** One pushed bucket: the whole bucket's usage so far, as the server rolled it up. */
export interface Bucket extends Point {
  /** Calls in the bucket that the dashboards themselves did not make (see `othersIn`). */
  others: number;
}

/** A loaded report's totals and timeseries. */
export interface Report {
  from: number;
  totalCalls: number;
  errorCount: number;
  points: Point[];
}

export interface Merged extends Report {
  errorRate: number;
}

/**
 * Keeps the newest snapshot of each bucket: a bucket's calls only ever grow (late calls
 * roll into it too), so of two snapshots the one with more calls is the later.
 */
export function keepNewest(buckets: ReadonlyMap<number, Bucket>, next: Bucket): Map<number, Bucket> {
  const known = buckets.get(next.at);
  const merged = new Map(buckets);
  if (!known || next.count >= known.count) merged.set(next.at, next);
  return merged;
}

/**
 * The report with the live buckets merged in: a bucket the report holds is replaced when the
 * push has more calls (and the totals grow by the difference); a bucket after the report's
 * last point is appended (empty points fill any gap). Buckets starting before the report's
 * range are ignored: the report counts only part of such a bucket.
 */
export function mergeBuckets(report: Report, buckets: Iterable<Bucket>, stepMs: number): Merged {
  const points = report.points.map((p) => ({ ...p }));
  let { totalCalls, errorCount } = report;
  const byAt = new Map(points.map((p, i) => [p.at, i]));
  const sorted = [...buckets].filter((b) => b.at >= report.from).sort((a, b) => a.at - b.at);
  for (const bucket of sorted) {
    const i = byAt.get(bucket.at);
    const point: Point = { at: bucket.at, count: bucket.count, errors: bucket.errors, p95Ms: bucket.p95Ms };
    if (i !== undefined) {
      const known = points[i]!;
      if (bucket.count <= known.count) continue;
      totalCalls += bucket.count - known.count;
      errorCount += bucket.errors - known.errors;
      points[i] = point;
      continue;
    }
    const last = points[points.length - 1];
    if (last && bucket.at < last.at) continue; // inside the range but not a point of it: not ours
    for (let at = (last?.at ?? bucket.at) + stepMs; last && at < bucket.at; at += stepMs) {
      byAt.set(at, points.length);
      points.push({ at, count: 0, errors: 0, p95Ms: null });
    }
    byAt.set(bucket.at, points.length);
    points.push(point);
    totalCalls += bucket.count;
    errorCount += bucket.errors;
  }
  return { from: report.from, points, totalCalls, errorCount, errorRate: totalCalls > 0 ? errorCount / totalCalls : 0 };
}

/**
 * The dashboard's own operations. Their calls are counted like any other, but they do not
 * make the dashboard reload its tables: otherwise each reload, being calls itself, would
 * announce another bucket update and reload again, for ever.
 */
export const OWN_OPERATIONS = new Set(['AdminUsage', 'AdminRecentCalls', 'AdminUsageUpdated']);

/** A bucket's calls made by anything but the dashboards (from its per-operation counts). */
export function othersIn(totalCalls: number, byOperation: readonly { name?: string | null; count: number }[]): number {
  const own = byOperation.reduce((sum, op) => sum + (op.name && OWN_OPERATIONS.has(op.name) ? op.count : 0), 0);
  return totalCalls - own;
}

const numbers = new Intl.NumberFormat(undefined);
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export const formatCount = (n: number) => numbers.format(n);
export const formatPercent = (ratio: number) => percent.format(ratio);
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  return `${ms >= 100 ? Math.round(ms) : ms.toFixed(ms >= 10 ? 0 : 1)} ms`;
}
