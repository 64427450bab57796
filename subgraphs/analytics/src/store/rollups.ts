import { randomUUID } from 'node:crypto';
import type { DocumentStore } from '@agora/kit/documents/port';
import { bucketStart, INTERVAL_FIELD, MINUTE_MS, pointsOf, type UsageRange } from '../domain/intervals';
import { rank, rollupsOf, summarize, type CallCountRow, type UsageSummary } from '../domain/rollups';
import { CALLS } from './calls';

export const ROLLUPS = 'api_usage_rollups';
/** Minutes whose calls changed since their rollups were computed. */
export const DIRTY = 'api_usage_dirty';

/** Dirty minutes rolled up together: one aggregation over at most this span of raw calls. */
const ROLL_SPAN_MINUTES = 60;

interface DirtyMark {
  _id: string;
  minute: Date;
  /** Rewritten by every new call: a roll-up clears the mark only if it saw this token. */
  token: string;
}

type Row<K> = { _id: K & { k: number }; n: number };

/**
 * The per-minute rollups (see domain/rollups.ts) and every usage query over them. Rollups are
 * recomputed from the raw calls of the minutes marked dirty (idempotent: the same calls give
 * the same documents, so redelivered events, retries and concurrent replicas are harmless);
 * queries sum rollup cells in the database and never read raw calls.
 */
export class RollupStore {
  constructor(private readonly docs: DocumentStore) {}

  async ensureIndexes(retentionDays: number): Promise<void> {
    await this.docs.ensureIndexes(ROLLUPS, [
      { key: { scope: 1, minute: 1 } },
      { key: { minute: 1 }, expireAfterSeconds: retentionDays * 86_400 },
    ]);
    await this.docs.ensureIndexes(DIRTY, [{ key: { minute: 1 } }]);
  }

  /** Marks the minutes of new calls for roll-up (after the calls are stored). */
  async markDirty(minutes: Date[]): Promise<void> {
    const unique = new Map(minutes.map((m) => [m.toISOString(), m]));
    const marks: DirtyMark[] = [...unique].map(([id, minute]) => ({ _id: id, minute, token: randomUUID() }));
    await this.docs.put(DIRTY, marks);
  }

  /**
   * Recomputes the rollups of the oldest dirty minutes (those within an hour of the oldest)
   * from their raw calls, in one aggregation; answers the minutes it rolled up. A minute that
   * got new calls meanwhile stays dirty for the next round.
   */
  async rollUp(): Promise<Date[]> {
    const [oldest] = (await this.docs.find(DIRTY, {}, { sort: { minute: 1 }, limit: 1 })) as unknown as DirtyMark[];
    if (!oldest) return [];
    const marks = (await this.docs.find(DIRTY, {
      minute: { $lt: new Date(oldest.minute.getTime() + ROLL_SPAN_MINUTES * MINUTE_MS) },
    })) as unknown as DirtyMark[];
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
    const counts: CallCountRow[] = rows.map(({ _id, n }) => ({ ...pick(_id, dims), n }));
    await this.docs.put(ROLLUPS, rollupsOf(counts));
    for (const mark of marks) await this.docs.delete(DIRTY, { _id: mark._id, token: mark.token });
    return marks.map((m) => m.minute);
  }

  /** Whether minutes are waiting to be rolled up. */
  async pending(): Promise<number> {
    return this.docs.count(DIRTY, {});
  }

  /** Totals, percentiles and the timeseries of a range: one aggregation over the 'all' rollups. */
  async summary(range: UsageRange): Promise<UsageSummary> {
    const rows = (await this.docs.aggregate(ROLLUPS, [
      { $match: { scope: 'all', minute: { $gte: range.from, $lt: range.to } } },
      { $unwind: '$cells' },
      {
        $group: {
          _id: { at: `$cells.${INTERVAL_FIELD[range.interval]}`, k: '$cells.k' },
          n: { $sum: '$cells.n' },
        },
      },
    ])) as Row<{ at: Date }>[];
    return summarize(
      rows.map(({ _id, n }) => ({ at: _id.at, k: _id.k, n })),
      pointsOf(range),
    );
  }

  operations(range: UsageRange, first: number) {
    return this.ranked(range, 'op', { name: '$cells.name', type: '$cells.type' }, first);
  }

  clients(range: UsageRange, first: number) {
    return this.ranked(range, 'client', { name: '$cells.name', version: '$cells.version' }, first);
  }

  private async ranked<K extends string>(
    range: UsageRange,
    scope: 'op' | 'client',
    key: Record<K, `$${string}`>,
    first: number,
  ) {
    const rows = (await this.docs.aggregate(ROLLUPS, [
      { $match: { scope, minute: { $gte: range.from, $lt: range.to } } },
      { $unwind: '$cells' },
      { $group: { _id: { ...key, k: '$cells.k' }, n: { $sum: '$cells.n' } } },
    ])) as Row<Record<K, string | null>>[];
    return rank(
      rows.map(({ _id, n }) => ({ key: pick(_id, Object.keys(key) as K[]), k: _id.k, n })),
      first,
    );
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

  sweep(cutoff: Date): Promise<number> {
    return this.docs.delete(ROLLUPS, { minute: { $lt: cutoff } });
  }
}

/** A group key's fields in a fixed order, a missing one (a server may leave out nulls) as null. */
function pick<T extends Record<string, unknown>, F extends keyof T>(key: T, fields: readonly F[]): Pick<T, F> {
  return Object.fromEntries(fields.map((f) => [f, key[f] ?? null])) as Pick<T, F>;
}
