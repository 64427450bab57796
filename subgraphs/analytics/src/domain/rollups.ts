import { addTo, percentile, type Histogram } from './histogram';
import { bucketStart, type UsageInterval } from './intervals';

/**
 * Per-minute rollups (collection `api_usage_rollups`): for each minute, one document for all
 * calls, one per operation (name, type) and one per client (name, version). Each holds
 * `cells`: one per latency bucket with its count (k ≥ 0; their sum is the calls), and the
 * errors (k = −1). Every cell repeats what it is grouped by (the minute's hour and day, or the
 * operation, or the client), so a query sums one unwound array in one `$group` (the
 * document-store port's pipeline subset).
 */
export type RollupScope = 'all' | 'op' | 'client';
export const ERRORS_CELL = -1;

export interface RollupCell {
  k: number;
  n: number;
  /** scope all: the minute and the starts of its hour and day. */
  m?: Date;
  h?: Date;
  d?: Date;
  /** scope op: the operation's name and type; scope client: the client's name and version. */
  name?: string | null;
  type?: string | null;
  version?: string | null;
}

export interface RollupDoc {
  _id: string;
  minute: Date;
  scope: RollupScope;
  cells: RollupCell[];
}

/** Calls of one minute counted by everything a rollup is cut by (an aggregation's output row). */
export interface CallCountRow {
  minute: Date;
  name: string | null;
  type: string | null;
  clientName: string | null;
  clientVersion: string | null;
  k: number;
  outcome: 'OK' | 'ERROR';
  n: number;
}

/** The rollup documents of the minutes that `rows` cover. */
export function rollupsOf(rows: CallCountRow[]): RollupDoc[] {
  const docs = new Map<string, { minute: Date; scope: RollupScope; dims: Partial<RollupCell>; hist: Histogram }>();
  const add = (minute: Date, scope: RollupScope, key: unknown[], dims: Partial<RollupCell>, k: number, n: number) => {
    const id = `${minute.toISOString()}|${scope}|${JSON.stringify(key)}`;
    let doc = docs.get(id);
    if (!doc) docs.set(id, (doc = { minute, scope, dims, hist: new Map() }));
    addTo(doc.hist, k, n);
  };
  for (const row of rows) {
    const time = { m: row.minute, h: bucketStart(row.minute, 'HOUR'), d: bucketStart(row.minute, 'DAY') };
    const cuts: [RollupScope, unknown[], Partial<RollupCell>][] = [
      ['all', [], time],
      ['op', [row.name, row.type], { name: row.name, type: row.type }],
      ['client', [row.clientName, row.clientVersion], { name: row.clientName, version: row.clientVersion }],
    ];
    for (const [scope, key, dims] of cuts) {
      add(row.minute, scope, key, dims, row.k, row.n);
      if (row.outcome === 'ERROR') add(row.minute, scope, key, dims, ERRORS_CELL, row.n);
    }
  }
  return [...docs].map(([id, doc]) => ({
    _id: id,
    minute: doc.minute,
    scope: doc.scope,
    cells: [...doc.hist].sort(([a], [b]) => a - b).map(([k, n]) => ({ ...doc.dims, k, n })),
  }));
}

/** Counts, errors and latency of a set of calls, from its summed cells. */
export interface UsageStats {
  count: number;
  errors: number;
  histogram: Histogram;
}

export const emptyStats = (): UsageStats => ({ count: 0, errors: 0, histogram: new Map() });

export function addCell(stats: UsageStats, k: number, n: number): void {
  if (k === ERRORS_CELL) stats.errors += n;
  else {
    stats.count += n;
    addTo(stats.histogram, k, n);
  }
}

export const errorRate = (stats: UsageStats) => (stats.count === 0 ? 0 : stats.errors / stats.count);

export interface UsagePoint {
  at: Date;
  count: number;
  errors: number;
  p95Ms: number | null;
}

export interface UsageSummary {
  totalCalls: number;
  errorCount: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  timeseries: UsagePoint[];
}

/**
 * The summary of a range from its cells summed per (point, bucket): totals and percentiles
 * over every point, and one point per start in `points` (zero where nothing was called).
 */
export function summarize(rows: { at: Date; k: number; n: number }[], points: Date[]): UsageSummary {
  const total = emptyStats();
  const perPoint = new Map<number, UsageStats>(points.map((at) => [at.getTime(), emptyStats()]));
  for (const { at, k, n } of rows) {
    addCell(total, k, n);
    let point = perPoint.get(at.getTime());
    if (!point) perPoint.set(at.getTime(), (point = emptyStats()));
    addCell(point, k, n);
  }
  return {
    totalCalls: total.count,
    errorCount: total.errors,
    errorRate: errorRate(total),
    p50Ms: percentile(total.histogram, 0.5),
    p95Ms: percentile(total.histogram, 0.95),
    p99Ms: percentile(total.histogram, 0.99),
    timeseries: [...perPoint]
      .sort(([a], [b]) => a - b)
      .map(([at, stats]) => ({
        at: new Date(at),
        count: stats.count,
        errors: stats.errors,
        p95Ms: percentile(stats.histogram, 0.95),
      })),
  };
}

/** Groups (operations, clients) from their cells summed per (group, bucket), most calls first. */
export function rank<K extends Record<string, unknown>>(
  rows: { key: K; k: number; n: number }[],
  first: number,
): (K & {
  count: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
})[] {
  const groups = new Map<string, { key: K; stats: UsageStats }>();
  for (const { key, k, n } of rows) {
    const id = JSON.stringify(Object.values(key));
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key, stats: emptyStats() }));
    addCell(group.stats, k, n);
  }
  return [...groups.values()]
    .filter(({ stats }) => stats.count > 0)
    .sort((a, b) => b.stats.count - a.stats.count || compareKeys(a.key, b.key))
    .slice(0, first)
    .map(({ key, stats }) => ({
      ...key,
      count: stats.count,
      errors: stats.errors,
      errorRate: errorRate(stats),
      p50Ms: percentile(stats.histogram, 0.5),
      p95Ms: percentile(stats.histogram, 0.95),
      p99Ms: percentile(stats.histogram, 0.99),
    }));
}

const compareKeys = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  JSON.stringify(Object.values(a)).localeCompare(JSON.stringify(Object.values(b)));

export type { UsageInterval };
