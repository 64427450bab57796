import { randomUUID } from 'node:crypto';
import type { DocumentStore, FieldPath } from '@agora/kit/documents/port';
import { bucketStart, INTERVAL_FIELD, MINUTE_MS, pointsOf, type UsageRange } from '../domain/intervals';
import {
  countsByMinute,
  LEVELS,
  levelStart,
  piecesOf,
  rank,
  rollupDocs,
  SCOPE_DIMS,
  SCOPES,
  summarize,
  type CallCountRow,
  type GroupCount,
  type Level,
  type RollupScope,
  type UsageSummary,
} from '../domain/rollups';
import { CALLS } from './calls';

/** The rollups of each level (see domain/rollups.ts). */
export const ROLLUPS: Record<Level, string> = {
  minute: 'api_usage_minutes',
  hour: 'api_usage_hours',
  day: 'api_usage_days',
};
/** One mark per stored call, naming its minute: minutes whose rollups are out of date. */
export const DIRTY = 'api_usage_dirty';

/** Dirty minutes rolled up together: one aggregation over at most this span of raw calls. */
const ROLL_SPAN_MINUTES = 60;
/** Marks read per round at most (a burst is worked off over several rounds). */
const MARKS_PER_ROUND = 20_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface DirtyMark {
  _id: string;
  minute: Date;
}

type Row<K> = { _id: K & { k: number }; n: number };

/**
 * The rollups (see domain/rollups.ts) and every usage query over them. Rollups are
 * recomputed — minutes from the raw calls of the minutes marked dirty, then their hours from
 * minutes and their days from hours — which is idempotent: the same calls give the same
 * documents, so redelivered events, retries and concurrent replicas are harmless. Queries sum
 * rollup cells in the database and never read raw calls.
 */
export class RollupStore {
  constructor(private readonly docs: DocumentStore) {}

  async ensureIndexes(retentionDays: number): Promise<void> {
    for (const level of LEVELS) {
      await this.docs.ensureIndexes(ROLLUPS[level], [
        { key: { scope: 1, at: 1 } },
        { key: { at: 1 }, expireAfterSeconds: retentionDays * 86_400 },
      ]);
    }
    await this.docs.ensureIndexes(DIRTY, [{ key: { minute: 1 } }]);
  }

  /**
   * Marks the minutes of new calls for roll-up (after the calls are stored). Marks are only
   * ever added, each with an id of its own, and a roll-up deletes just the marks it read: a
   * call stored while a minute is being rolled up leaves a mark for the next round.
   */
  async markDirty(minutes: Date[]): Promise<void> {
    const marks: DirtyMark[] = unique(minutes).map((minute) => ({ _id: randomUUID(), minute }));
    await this.docs.insertNew(DIRTY, marks);
  }

  /**
   * Recomputes the rollups of the oldest dirty minutes (those within an hour of the oldest)
   * from their raw calls in one aggregation, then the hours and days they are in; answers the
   * minutes it rolled up. A minute that got new calls meanwhile stays dirty for the next round.
   */
  async rollUp(): Promise<Date[]> {
    const [oldest] = (await this.docs.find(DIRTY, {}, { sort: { minute: 1 }, limit: 1 })) as unknown as DirtyMark[];
    if (!oldest) return [];
    const marks = (await this.docs.find(
      DIRTY,
      { minute: { $lt: new Date(oldest.minute.getTime() + ROLL_SPAN_MINUTES * MINUTE_MS) } },
      { limit: MARKS_PER_ROUND },
    )) as unknown as DirtyMark[];
    const last = Math.max(...marks.map((m) => m.minute.getTime()));
    const rows = (await this.docs.aggregate(CALLS, [
      { $match: { at: { $gte: oldest.minute, $lt: new Date(last + MINUTE_MS) }, counted: true } },
      {
        $group: {
          _id: {
            minute: '$minute',
            name: '$operationName',
            type: '$operationType',
            clientName: '$clientName',
            clientVersion: '$clientVersion',
            k: '$k',
            outcome: '$outcome',
          },
          n: { $sum: 1 },
        },
      },
    ])) as Row<Omit<CallCountRow, 'n' | 'k'>>[];
    const dims = ['minute', 'name', 'type', 'clientName', 'clientVersion', 'k', 'outcome'] as const;
    const byMinute = countsByMinute(rows.map(({ _id, n }) => ({ ...pick(_id, dims), n })));
    await this.docs.put(
      ROLLUPS.minute,
      [...byMinute].flatMap(([at, counts]) => rollupDocs('minute', new Date(at), counts)),
    );
    const minutes = unique(marks.map((m) => m.minute));
    const hours = unique(minutes.map((m) => levelStart(m, 'hour')));
    for (const hour of hours) await this.rollUpFrom('minute', 'hour', hour, HOUR_MS);
    for (const day of unique(hours.map((h) => levelStart(h, 'day')))) await this.rollUpFrom('hour', 'day', day, DAY_MS);
    await this.docs.delete(DIRTY, { _id: { $in: marks.map((m) => m._id) } });
    return minutes;
  }

  /** One bucket of `level` from the rollups of the finer level inside it, each scope in one aggregation. */
  private async rollUpFrom(finer: Level, level: Level, at: Date, size: number): Promise<void> {
    const counts: GroupCount[] = [];
    for (const scope of SCOPES) {
      const rows = await this.sumCells(finer, scope, { from: at, to: new Date(at.getTime() + size) }, cellsBy(scope));
      for (const { _id, n } of rows) counts.push({ scope, dims: pick(_id, SCOPE_DIMS[scope]), k: _id.k, n });
    }
    await this.docs.put(ROLLUPS[level], rollupDocs(level, at, counts));
  }

  /** Whether minutes are waiting to be rolled up. */
  async pending(): Promise<number> {
    return this.docs.count(DIRTY, {});
  }

  /** Totals, percentiles and the timeseries of a range, from the coarsest rollups that fit it. */
  async summary(range: UsageRange): Promise<UsageSummary> {
    const by = { at: `$cells.${INTERVAL_FIELD[range.interval]}` as FieldPath };
    const rows = (
      await Promise.all(piecesOf(range).map((piece) => this.sumCells(piece.level, 'all', piece, by)))
    ).flat() as Row<{ at: Date }>[];
    return summarize(
      rows.map(({ _id, n }) => ({ at: _id.at, k: _id.k, n })),
      pointsOf(range),
    );
  }

  operations(range: UsageRange, first: number) {
    return this.ranked(range, 'op', first);
  }

  clients(range: UsageRange, first: number) {
    return this.ranked(range, 'client', first);
  }

  private async ranked(range: UsageRange, scope: 'op' | 'client', first: number) {
    const rows = (
      await Promise.all(piecesOf(range).map((piece) => this.sumCells(piece.level, scope, piece, cellsBy(scope))))
    ).flat();
    return rank(
      rows.map(({ _id, n }) => ({ key: pick(_id, SCOPE_DIMS[scope]), k: _id.k, n })),
      first,
    );
  }

  /** Cells of one scope and level in [from, to), summed per (`by`, latency bucket) in the database. */
  private async sumCells(
    level: Level,
    scope: RollupScope,
    span: { from: Date; to: Date },
    by: Record<string, FieldPath>,
  ): Promise<Row<Record<string, unknown>>[]> {
    return (await this.docs.aggregate(ROLLUPS[level], [
      { $match: { scope, at: { $gte: span.from, $lt: span.to } } },
      { $unwind: '$cells' },
      { $group: { _id: { ...by, k: '$cells.k' }, n: { $sum: '$cells.n' } } },
    ])) as Row<Record<string, unknown>>[];
  }

  /**
   * The same summary computed from the raw calls (an aggregation over every call of the
   * range): the baseline `npm run bench:analytics` compares rollups with, and a check that
   * both agree.
   */
  async summaryFromRawCalls(range: UsageRange): Promise<UsageSummary> {
    const [all, errors] = await Promise.all(
      [{}, { outcome: 'ERROR' }].map(
        (extra) =>
          this.docs.aggregate(CALLS, [
            { $match: { at: { $gte: range.from, $lt: range.to }, counted: true, ...extra } },
            { $group: { _id: { minute: '$minute', k: '$k' }, n: { $sum: 1 } } },
          ]) as Promise<Row<{ minute: Date }>[]>,
      ),
    );
    const at = (minute: Date) => bucketStart(minute, range.interval);
    return summarize(
      [
        ...all!.map(({ _id, n }) => ({ at: at(_id.minute), k: _id.k, n })),
        ...errors!.map(({ _id, n }) => ({ at: at(_id.minute), k: -1, n })),
      ],
      pointsOf(range),
    );
  }

  /** Deletes rollups of buckets that started before `cutoff`; answers how many. */
  async sweep(cutoff: Date): Promise<number> {
    let deleted = 0;
    for (const level of LEVELS) deleted += await this.docs.delete(ROLLUPS[level], { at: { $lt: cutoff } });
    // Marks of minutes whose calls are gone have nothing left to roll up.
    deleted += await this.docs.delete(DIRTY, { minute: { $lt: cutoff } });
    return deleted;
  }
}

/** What a scope's cells are summed by: their dims (the latency bucket is added by sumCells). */
function cellsBy(scope: RollupScope): Record<string, FieldPath> {
  return Object.fromEntries(SCOPE_DIMS[scope].map((dim) => [dim, `$cells.${dim}` as FieldPath]));
}

function unique(dates: Date[]): Date[] {
  return [...new Set(dates.map((d) => d.getTime()))].sort((a, b) => a - b).map((t) => new Date(t));
}

/** A group key's fields in a fixed order, a missing one (a server may leave out nulls) as null. */
function pick<T extends Record<string, unknown>, F extends string>(key: T, fields: readonly F[]): Record<F, never> {
  return Object.fromEntries(fields.map((f) => [f, key[f] ?? null])) as Record<F, never>;
}
