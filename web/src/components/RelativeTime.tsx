import { useSyncExternalStore } from 'react';

/** One clock for every date on screen: ticks each 30 s, so "just now" becomes "1 minute ago". */
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
function subscribe(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, 30_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

export function relativeTime(date: Date, from: number): string {
  const seconds = Math.round((date.getTime() - from) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size * (unit === 'minute' ? 0.75 : 1))
      return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** "5 minutes ago", with the exact date and time on hover (and for assistive technology). */
export function RelativeTime({ iso, prefix }: { iso: string; prefix?: string }) {
  const current = useSyncExternalStore(subscribe, () => now);
  const date = new Date(iso);
  const full = exact.format(date);
  return (
    <time dateTime={iso} title={full}>
      {prefix}
      {relativeTime(date, Math.max(current, Date.now() - 30_000))}
    </time>
  );
}
