import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../../__generated__';
import type { AdminUsageQuery, AdminUsageUpdatedSubscription } from '../../__generated__/graphql';
import { TimeChart, type ChartSeries } from '../../components/charts/TimeChart';
import { EmptyState } from '../../components/EmptyState';
import { FormErrors } from '../../components/form';
import { Skeleton } from '../../components/Skeleton';
import { describeError } from '../../errors';
import { PageHeading } from '../../router';
import { RecentCalls } from './RecentCalls';
import {
  INTERVAL_MS,
  INTERVAL_WORD,
  RANGES,
  formatCount,
  formatMs,
  formatPercent,
  keepNewest,
  mergeBuckets,
  othersIn,
  type Bucket,
  type Merged,
  type Range,
} from './usage';

const UsageQuery = graphql(`
  query AdminUsage($from: DateTime!, $interval: ApiUsageInterval!) {
    apiUsage(from: $from, interval: $interval) {
      from
      to
      interval
      totalCalls
      errorCount
      errorRate
      p50Ms
      p95Ms
      p99Ms
      timeseries {
        at
        count
        errors
        p95Ms
      }
      byOperation(first: 10) {
        name
        type
        count
        errors
        errorRate
        p95Ms
      }
      byClient(first: 10) {
        name
        version
        count
        errors
        p95Ms
      }
    }
  }
`);

const UsageUpdatedSubscription = graphql(`
  subscription AdminUsageUpdated($interval: ApiUsageInterval!) {
    apiUsageUpdated(interval: $interval) {
      from
      totalCalls
      errorCount
      p95Ms
      byOperation(first: 20) {
        name
        count
      }
    }
  }
`);

/** Table reloads after live updates come at most this often. */
const RELOAD_EVERY_MS = 1_000;

const toBucket = ({ apiUsageUpdated: u }: AdminUsageUpdatedSubscription): Bucket => ({
  at: Date.parse(u.from),
  count: u.totalCalls,
  errors: u.errorCount,
  p95Ms: u.p95Ms ?? null,
  others: othersIn(u.totalCalls, u.byOperation),
});

/** Calls `task` at most once every `ms`, the last request always honoured (trailing). */
function useThrottled(task: () => void, ms: number) {
  const latest = useRef(task);
  latest.current = task;
  const state = useRef<{ last: number; timer?: ReturnType<typeof setTimeout> }>({ last: 0 });
  useEffect(() => () => clearTimeout(state.current.timer), []);
  return useCallback(() => {
    const s = state.current;
    if (s.timer !== undefined) return;
    s.timer = setTimeout(
      () => {
        s.timer = undefined;
        s.last = Date.now();
        latest.current();
      },
      Math.max(0, s.last + ms - Date.now()),
    );
  }, [ms]);
}

/**
 * The admin dashboard (issue 12): API usage over a chosen range — calls, error rate and
 * latency over time, the busiest operations and clients — and the recent calls. Live: each
 * `apiUsageUpdated` bucket is merged into the charts and totals as it arrives, and calls by
 * anyone but the dashboards reload the tables (throttled).
 */
export default function Dashboard() {
  const [range, setRange] = useState<Range>(RANGES[0]!);
  const [activity, setActivity] = useState(0);
  const onActivity = useCallback(() => setActivity((n) => n + 1), []);
  return (
    <div className="admin-dashboard">
      <PageHeading>API usage</PageHeading>
      <div className="range-picker" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button
            key={r.key}
            type="button"
            className="toggle"
            aria-pressed={r.key === range.key}
            onClick={() => setRange(r)}
          >
            {r.label}
          </button>
        ))}
      </div>
      <Usage key={range.key} range={range} onActivity={onActivity} />
      <RecentCalls activity={activity} />
    </div>
  );
}

function Usage({ range, onActivity }: { range: Range; onActivity: () => void }) {
  const [from] = useState(() => new Date(Date.now() - range.ms).toISOString());
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: UsageQuery,
    variables: { from, interval: range.interval },
  });
  const [live] = useSubscription(
    { query: UsageUpdatedSubscription, variables: { interval: range.interval } },
    (buckets: Map<number, Bucket> = new Map(), push: AdminUsageUpdatedSubscription) =>
      keepNewest(buckets, toBucket(push)),
  );

  const reload = useThrottled(() => {
    reexecute({ requestPolicy: 'network-only' });
    onActivity();
  }, RELOAD_EVERY_MS);
  const seen = useRef(new Map<number, number>());
  useEffect(() => {
    let changed = false;
    for (const bucket of live.data?.values() ?? []) {
      if (bucket.others > (seen.current.get(bucket.at) ?? -1)) {
        seen.current.set(bucket.at, bucket.others);
        changed = true;
      }
    }
    if (changed) reload();
  }, [live.data, reload]);

  const usage = data?.apiUsage;
  const stepMs = INTERVAL_MS[range.interval];
  const merged = useMemo(() => {
    if (!usage) return undefined;
    const report = {
      from: Date.parse(usage.from),
      totalCalls: usage.totalCalls,
      errorCount: usage.errorCount,
      points: usage.timeseries.map((p) => ({
        at: Date.parse(p.at),
        count: p.count,
        errors: p.errors,
        p95Ms: p.p95Ms ?? null,
      })),
    };
    return mergeBuckets(report, live.data?.values() ?? [], stepMs);
  }, [usage, live.data, stepMs]);

  if (!usage || !merged) {
    if (fetching) return <Skeleton lines={4} count={2} />;
    return (
      <FormErrors messages={describeError(error, { FORBIDDEN: 'Only administrators can see API usage.' }).general} />
    );
  }
  return (
    <>
      <p className="lead">
        Since{' '}
        <time dateTime={usage.from}>
          {new Date(usage.from).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
        </time>
        , one point per {INTERVAL_WORD[range.interval]}. {live.error ? '' : 'Updates live.'}
      </p>
      {live.error && (
        <p className="notice" role="status">
          Live updates stopped: {describeError(live.error).general.join(' ')} Reload the page to resume them.
        </p>
      )}
      <Totals usage={usage} merged={merged} />
      <Charts usage={usage} merged={merged} range={range} stepMs={stepMs} />
      <div className="columns">
        <TopOperations operations={usage.byOperation} />
        <TopClients clients={usage.byClient} />
      </div>
    </>
  );
}

type Usage = AdminUsageQuery['apiUsage'];

function Totals({ usage, merged }: { usage: Usage; merged: Merged }) {
  const stats: [string, string, string][] = [
    ['Calls', formatCount(merged.totalCalls), 'total-calls'],
    ['Errors', formatCount(merged.errorCount), 'total-errors'],
    ['Error rate', formatPercent(merged.errorRate), 'error-rate'],
    ['p50 latency', formatMs(usage.p50Ms), 'p50'],
    ['p95 latency', formatMs(usage.p95Ms), 'p95'],
    ['p99 latency', formatMs(usage.p99Ms), 'p99'],
  ];
  return (
    <dl className="usage-stats" aria-label="Totals">
      {stats.map(([label, value, id]) => (
        <div key={id}>
          <dt>{label}</dt>
          <dd data-testid={id}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

const COLORS = { calls: '#2a55c9', errors: '#a3161b', p50: '#1a7f37', p95: '#2a55c9', p99: '#a3161b' };

function Charts({ usage, merged, range, stepMs }: { usage: Usage; merged: Merged; range: Range; stepMs: number }) {
  const word = INTERVAL_WORD[range.interval];
  const times = useMemo(() => merged.points.map((p) => p.at), [merged]);
  const at = (t: number) =>
    new Date(t).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  const busiest = merged.points.reduce<(typeof merged.points)[number] | undefined>(
    (best, p) => (p.count > (best?.count ?? 0) ? p : best),
    undefined,
  );
  const worstRate = merged.points.reduce((max, p) => Math.max(max, p.count > 0 ? p.errors / p.count : 0), 0);
  const slowest = merged.points.reduce<(typeof merged.points)[number] | undefined>(
    (best, p) => (p.p95Ms !== null && p.p95Ms > (best?.p95Ms ?? -1) ? p : best),
    undefined,
  );

  const callSeries = useMemo<ChartSeries[]>(
    () => [
      { label: 'Calls', values: merged.points.map((p) => p.count), color: COLORS.calls },
      { label: 'Errors', values: merged.points.map((p) => p.errors), color: COLORS.errors },
    ],
    [merged],
  );
  const rateSeries = useMemo<ChartSeries[]>(
    () => [
      {
        label: 'Error rate',
        values: merged.points.map((p) => (p.count > 0 ? (p.errors / p.count) * 100 : null)),
        color: COLORS.errors,
      },
    ],
    [merged],
  );
  const latencySeries = useMemo<ChartSeries[]>(
    () => [
      { label: `p95 per ${word}`, values: merged.points.map((p) => p.p95Ms), color: COLORS.p95 },
      {
        label: 'p50 of the range',
        values: merged.points.map(() => usage.p50Ms ?? null),
        color: COLORS.p50,
        dashed: true,
      },
      {
        label: 'p99 of the range',
        values: merged.points.map(() => usage.p99Ms ?? null),
        color: COLORS.p99,
        dashed: true,
      },
    ],
    [merged, usage, word],
  );

  if (merged.totalCalls === 0) {
    return (
      <EmptyState title="No API calls in this range">
        <p>Calls through the gateway show up here within seconds.</p>
      </EmptyState>
    );
  }
  return (
    <div className="chart-grid">
      <TimeChart
        title={`Calls per ${word}`}
        summary={`${formatCount(merged.totalCalls)} calls, ${formatCount(merged.errorCount)} with errors.${
          busiest ? ` Busiest ${word}: ${at(busiest.at)}, ${formatCount(busiest.count)} calls.` : ''
        }`}
        times={times}
        stepMs={stepMs}
        series={callSeries}
        format={(v) => formatCount(Math.round(v * 100) / 100)}
      />
      <TimeChart
        title={`Error rate per ${word}`}
        summary={`${formatPercent(merged.errorRate)} of calls failed over the range; at worst ${formatPercent(worstRate)} in one ${word}.`}
        times={times}
        stepMs={stepMs}
        series={rateSeries}
        format={(v) => `${Math.round(v * 10) / 10}%`}
      />
      <TimeChart
        title="Latency"
        summary={`Over the range: p50 ${formatMs(usage.p50Ms)}, p95 ${formatMs(usage.p95Ms)}, p99 ${formatMs(usage.p99Ms)}.${
          slowest ? ` Slowest ${word} by p95: ${at(slowest.at)}, ${formatMs(slowest.p95Ms)}.` : ''
        }`}
        times={times}
        stepMs={stepMs}
        series={latencySeries}
        format={(v) => formatMs(v)}
      />
    </div>
  );
}

function Bar({ share }: { share: number }) {
  return (
    <span className="usage-bar" aria-hidden="true">
      <span style={{ width: `${Math.max(2, Math.round(share * 100))}%` }} />
    </span>
  );
}

/** One row of a "top" table: a name (with a detail beside it) and its calls, errors and p95. */
interface TopRow {
  key: string;
  name: ReactNode;
  detail?: string | null;
  count: number;
  errors: number;
  /** Shown beside the errors when given (and there are some). */
  errorRate?: number;
  p95Ms: Usage['byOperation'][number]['p95Ms'];
}

function TopOperations({ operations }: { operations: Usage['byOperation'] }) {
  return (
    <TopTable
      id="top-operations"
      title="Top operations"
      column="Operation"
      empty="No operations in this range."
      rows={operations.map((o) => ({
        key: `${o.type ?? ''}:${o.name ?? ''}`,
        name: o.name ?? <i>Anonymous</i>,
        detail: o.type,
        count: o.count,
        errors: o.errors,
        errorRate: o.errorRate,
        p95Ms: o.p95Ms,
      }))}
    />
  );
}

function TopClients({ clients }: { clients: Usage['byClient'] }) {
  return (
    <TopTable
      id="top-clients"
      title="Top clients"
      column="Client"
      empty="No clients in this range."
      rows={clients.map((c) => ({
        key: `${c.name ?? ''}@${c.version ?? ''}`,
        name: c.name ?? <i>Unnamed</i>,
        detail: c.version,
        count: c.count,
        errors: c.errors,
        p95Ms: c.p95Ms,
      }))}
    />
  );
}

function TopTable(props: { id: string; title: string; column: string; empty: string; rows: TopRow[] }) {
  const max = Math.max(1, ...props.rows.map((r) => r.count));
  return (
    <section className="card" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.rows.length === 0 ? (
        <p className="notice">{props.empty}</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{props.column}</th>
              <th scope="col" className="num">
                Calls
              </th>
              <th scope="col" className="num">
                Errors
              </th>
              <th scope="col" className="num">
                p95
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">
                  {r.name}
                  {r.detail && <span className="call-meta"> {r.detail}</span>}
                  <Bar share={r.count / max} />
                </th>
                <td className="num">{formatCount(r.count)}</td>
                <td className="num">
                  {formatCount(r.errors)}
                  {r.errorRate !== undefined && r.errors > 0 && (
                    <span className="call-meta"> ({formatPercent(r.errorRate)})</span>
                  )}
                </td>
                <td className="num">{formatMs(r.p95Ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
