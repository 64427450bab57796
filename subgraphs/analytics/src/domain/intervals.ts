import { badInput } from '@agora/kit/errors';

export type UsageInterval = 'MINUTE' | 'HOUR' | 'DAY';
export const INTERVALS: readonly UsageInterval[] = ['MINUTE', 'HOUR', 'DAY'];

export const MINUTE_MS = 60_000;
export const INTERVAL_MS: Record<UsageInterval, number> = { MINUTE: MINUTE_MS, HOUR: 3_600_000, DAY: 86_400_000 };
/** The rollup field holding the start of a minute's bucket of each interval. */
export const INTERVAL_FIELD: Record<UsageInterval, 'm' | 'h' | 'd'> = { MINUTE: 'm', HOUR: 'h', DAY: 'd' };

/** Timeseries points one answer may have. */
export const MAX_POINTS = 1_500;
/** Without `from`: this long before `to`. */
export const DEFAULT_RANGE_MS = 24 * 3_600_000;

/** The start of the UTC bucket of `interval` that holds `at`. */
export const bucketStart = (at: Date, interval: UsageInterval) =>
  new Date(Math.floor(at.getTime() / INTERVAL_MS[interval]) * INTERVAL_MS[interval]);

const ceilMinute = (at: Date) => new Date(Math.ceil(at.getTime() / MINUTE_MS) * MINUTE_MS);

/** Without an interval: points of a minute up to 3 hours, of an hour up to 7 days, else of a day. */
export function defaultInterval(rangeMs: number): UsageInterval {
  if (rangeMs <= 3 * 3_600_000) return 'MINUTE';
  if (rangeMs <= 7 * 86_400_000) return 'HOUR';
  return 'DAY';
}

export interface UsageRange {
  /** Inclusive, a whole minute. */
  from: Date;
  /** Exclusive, a whole minute. */
  to: Date;
  interval: UsageInterval;
}

/** apiUsage's arguments as a range of whole minutes; BAD_USER_INPUT for an empty or too fine range. */
export function usageRange(
  args: { from?: Date | null; to?: Date | null; interval?: UsageInterval | null },
  now: Date,
): UsageRange {
  for (const [name, value] of [
    ['from', args.from],
    ['to', args.to],
  ] as const) {
    if (value && Number.isNaN(value.getTime())) throw badInput(`${name} is not a date`, name);
  }
  if (args.from && args.to && args.from.getTime() >= args.to.getTime()) {
    throw badInput('from must be before to', 'from');
  }
  const to = ceilMinute(args.to ?? now);
  const from = bucketStart(args.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS), 'MINUTE');
  if (from.getTime() >= to.getTime()) throw badInput('from must be before to', 'from');
  const interval = args.interval ?? defaultInterval(to.getTime() - from.getTime());
  const points = pointsOf({ from, to, interval }).length;
  if (points > MAX_POINTS) {
    throw badInput(
      `That is ${points} ${interval.toLowerCase()}s: at most ${MAX_POINTS} points, use a wider interval`,
      'interval',
    );
  }
  return { from, to, interval };
}

/** The start of every point of a range's timeseries, oldest first. */
export function pointsOf(range: UsageRange): Date[] {
  const step = INTERVAL_MS[range.interval];
  const points: Date[] = [];
  for (let at = bucketStart(range.from, range.interval).getTime(); at < range.to.getTime(); at += step) {
    points.push(new Date(at));
    if (points.length > MAX_POINTS) break;
  }
  return points;
}

/** A timeseries bucket's id, as `apiUsageBucket` takes it: `MINUTE:2026-01-01T10:04:00.000Z`. */
export const bucketId = (interval: UsageInterval, start: Date) => `${interval}:${start.toISOString()}`;

/** The range one bucket id stands for; BAD_USER_INPUT when it names none. */
export function parseBucketId(id: string): UsageRange {
  const match = /^(MINUTE|HOUR|DAY):(.+)$/.exec(id);
  const start = match ? new Date(match[2]!) : undefined;
  const interval = match?.[1] as UsageInterval | undefined;
  if (
    !interval ||
    !start ||
    Number.isNaN(start.getTime()) ||
    bucketStart(start, interval).getTime() !== start.getTime()
  ) {
    throw badInput('id is not a usage bucket (INTERVAL:start, e.g. MINUTE:2026-01-01T10:04:00.000Z)', 'id');
  }
  return { from: start, to: new Date(start.getTime() + INTERVAL_MS[interval]), interval };
}
