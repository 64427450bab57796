import { addTo, percentile, type Histogram } from './histogram';
import { bucketStart, type UsageInterval, type UsageRange } from './intervals';

/**
 * Rollups at three levels — per minute, hour and day (collections `api_usage_minutes`,
 * `api_usage_hours`, `api_usage_days`) — so a range is read from as few documents as its
 * interval allows. Each level holds, per bucket, one document for all calls, one per
 * operation (name, type) and one per client (name, version). A document's `cells` hold one
 * count per latency bucket (k ≥ 0; their sum is the calls) and the errors (k = −1); every cell
 * repeats what it is grouped by (the starts of its minute, hour and day as far as the level
 * has them, or the operation, or the client), so a query sums one unwound array in one
 * `$group` (the document-store port's pipeline subset). Minutes are counted from the raw
 * calls; an hour from its minutes, a day from its hours.
 */
export type Level = 'minute' | 'hour' | 'day';
export const LEVELS: readonly Level[] = ['minute', 'hour', 'day'];
export type RollupScope = 'all' | 'op' | 'client';
export const SCOPES: readonly RollupScope[] = ['all', 'op', 'client'];
export const ERRORS_CELL = -1;
/** What each scope's cells are grouped by, besides the time. */
export const SCOPE_DIMS: Record<RollupScope, readonly ('name' | 'type' | 'version')[]> = {
  all: [],
  op: ['name', 'type'],
  client: ['name', 'version'],
};

export interface RollupCell {
  k: number;
  n: number;
  /** scope all: the starts of the cell's minute, hour and day (as far as the level goes). */
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
  /** The bucket's start. */
  at: Date;
  scope: RollupScope;
  cells: RollupCell[];
}

/** Calls of one group (scope and its dims) in one latency bucket (or errors, k = −1). */
export interface GroupCount {
  scope: RollupScope;
  dims: Partial<Record<'name' | 'type' | 'version', string | null>>;
  k: number;
  n: number;
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

/** Raw-call counts as the group counts of each minute. */
export function countsByMinute(rows: CallCountRow[]): Map<number, GroupCount[]> {
  const minutes = new Map<number, GroupCount[]>();
  for (const row of rows) {
    let counts = minutes.get(row.minute.getTime());
    if (!counts) minutes.set(row.minute.getTime(), (counts = []));
    const groups: GroupCount['dims'][] = [
      {},
      { name: row.name, type: row.type },
      { name: row.clientName, version: row.clientVersion },
    ];
    SCOPES.forEach((scope, i) => {
      counts.push({ scope, dims: groups[i]!, k: row.k, n: row.n });
      if (row.outcome === 'ERROR') counts.push({ scope, dims: groups[i]!, k: ERRORS_CELL, n: row.n });
    });
  }
  return minutes;
}

/** The start of the bucket of `level` holding `at` (UTC). */
export function levelStart(at: Date, level: Level): Date {
  return bucketStart(at, LEVEL_INTERVAL[level]);
}
const LEVEL_INTERVAL: Record<Level, UsageInterval> = { minute: 'MINUTE', hour: 'HOUR', day: 'DAY' };

/** The time dims an 'all' cell of this level carries. */
function timeDims(level: Level, at: Date): Pick<RollupCell, 'm' | 'h' | 'd'> {
  const d = levelStart(at, 'day');
  if (level === 'day') return { d };
  const h = levelStart(at, 'hour');
  return level === 'hour' ? { h, d } : { m: at, h, d };
}

/** The rollup documents of one bucket from its group counts. */
export function rollupDocs(level: Level, at: Date, counts: GroupCount[]): RollupDoc[] {
  const docs = new Map<string, { scope: RollupScope; dims: GroupCount['dims']; hist: Histogram }>();
  for (const { scope, dims, k, n } of counts) {
    const key = SCOPE_DIMS[scope].map((dim) => dims[dim] ?? null);
    const id = `${at.toISOString()}|${scope}|${JSON.stringify(key)}`;
    let doc = docs.get(id);
    if (!doc)
      docs.set(
        id,
        (doc = { scope, dims: Object.fromEntries(SCOPE_DIMS[scope].map((dim, i) => [dim, key[i]])), hist: new Map() }),
      );
    addTo(doc.hist, k, n);
  }
  const time = timeDims(level, at);
  return [...docs].map(([id, doc]) => ({
    _id: id,
    at,
    scope: doc.scope,
    cells: [...doc.hist]
      .sort(([a], [b]) => a - b)
      .map(([k, n]) => ({ ...(doc.scope === 'all' ? time : doc.dims), k, n })),
  }));
}

/**
 * The pieces a range is read from: whole days from day rollups, whole hours from hour
 * rollups, and the minutes left at the edges from minute rollups — as coarse as the
 * interval allows (MINUTE points need minutes, HOUR points hours).
 */
export function piecesOf(range: UsageRange): { level: Level; from: Date; to: Date }[] {
  const coarsest: Level = range.interval === 'DAY' ? 'day' : range.interval === 'HOUR' ? 'hour' : 'minute';
  const split = (from: number, to: number, level: Level): { level: Level; from: Date; to: Date }[] => {
    if (from >= to) return [];
    if (level === 'minute') return [{ level, from: new Date(from), to: new Date(to) }];
    const size = LEVEL_MS[level];
    const first = Math.ceil(from / size) * size;
    const last = Math.floor(to / size) * size;
    const finer: Level = level === 'day' ? 'hour' : 'minute';
    if (first >= last) return split(from, to, finer);
    return [
      ...split(from, first, finer),
      { level, from: new Date(first), to: new Date(last) },
      ...split(last, to, finer),
    ];
  };
  return split(range.from.getTime(), range.to.getTime(), coarsest);
}
const LEVEL_MS: Record<Level, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

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
