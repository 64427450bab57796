import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../__generated__';
import type { ApiCallOutcome } from '../../__generated__/graphql';
import { EmptyState } from '../../components/EmptyState';
import { FormErrors, TextField } from '../../components/form';
import { LoadMore } from '../../components/LoadMore';
import { Skeleton } from '../../components/Skeleton';
import { describeError } from '../../errors';
import { formatMs } from './usage';

const RecentCallsQuery = graphql(`
  query AdminRecentCalls($first: Int!, $after: String, $operationName: String, $outcome: ApiCallOutcome) {
    recentApiCalls(first: $first, after: $after, operationName: $operationName, outcome: $outcome) {
      edges {
        cursor
        node {
          id
          at
          phase
          transport
          operationName
          operationType
          clientName
          clientVersion
          user {
            id
            handle
          }
          durationMs
          outcome
          errorCodes
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const PAGE = 20;
const COLUMNS = 4;

interface Filter {
  operationName: string;
  outcome: ApiCallOutcome | '';
}

const PHASE: Record<string, string> = {
  SUBSCRIPTION_START: 'subscription start',
  SUBSCRIPTION_END: 'subscription end',
};

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

/**
 * The API calls, newest first, filtered by operation name and outcome, paged by cursor.
 * `activity` grows when new calls were made: the list reloads its first page then, unless
 * older pages are open (a reload would shift them); it offers to show the newest instead.
 */
export function RecentCalls({ activity }: { activity: number }) {
  const [filter, setFilter] = useState<Filter>({ operationName: '', outcome: '' });
  const [draft, setDraft] = useState<Filter>(filter);
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const [seenActivity, setSeenActivity] = useState(activity);
  const outcomeId = useId();
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ operationName: draft.operationName.trim(), outcome: draft.outcome });
    setPages([null]);
    setSeenActivity(activity);
  };
  const newer = pages.length > 1 && activity !== seenActivity;
  return (
    <section aria-labelledby="recent-calls">
      <h2 id="recent-calls">Recent calls</h2>
      <form className="filters" aria-label="Filter calls" onSubmit={apply}>
        <TextField
          label="Operation name"
          value={draft.operationName}
          onChange={(operationName) => setDraft({ ...draft, operationName })}
          autoComplete="off"
          spellCheck={false}
        />
        <div className="field">
          <label htmlFor={outcomeId}>Outcome</label>
          <select
            id={outcomeId}
            value={draft.outcome}
            onChange={(e) => setDraft({ ...draft, outcome: e.target.value as Filter['outcome'] })}
          >
            <option value="">Any</option>
            <option value="OK">OK</option>
            <option value="ERROR">Error</option>
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      {newer && (
        <p className="actions">
          <span>Newer calls have arrived.</span>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setPages([null]);
              setSeenActivity(activity);
            }}
          >
            Show newest
          </button>
        </p>
      )}
      <table className="data-table calls-table">
        <caption className="visually-hidden">
          Recent API calls, newest first
          {filter.operationName && `, operation ${filter.operationName}`}
          {filter.outcome && `, outcome ${filter.outcome === 'OK' ? 'OK' : 'error'}`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Operation</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col" className="num">
              Time
            </th>
          </tr>
        </thead>
        {pages.map((after, i) => (
          <CallsPage
            key={`${filter.operationName}|${filter.outcome}|${after ?? 'first'}`}
            after={after}
            filter={filter}
            activity={pages.length === 1 ? activity : undefined}
            onMore={
              i === pages.length - 1
                ? (cursor) => {
                    setPages([...pages, cursor]);
                    setSeenActivity(activity);
                  }
                : undefined
            }
          />
        ))}
      </table>
    </section>
  );
}

function CallsPage({
  after,
  filter,
  activity,
  onMore,
}: {
  after: string | null;
  filter: Filter;
  /** Set on the only page shown: a change reloads it. */
  activity?: number;
  onMore?: (cursor: string) => void;
}) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: RecentCallsQuery,
    variables: {
      first: PAGE,
      after,
      operationName: filter.operationName || null,
      outcome: filter.outcome || null,
    },
    requestPolicy: 'cache-and-network',
  });
  const shown = useRef(activity);
  useEffect(() => {
    if (activity === undefined || activity === shown.current) return;
    shown.current = activity;
    reexecute({ requestPolicy: 'network-only' });
  }, [activity, reexecute]);

  const row = (content: ReactNode) => (
    <tbody>
      <tr>
        <td colSpan={COLUMNS}>{content}</td>
      </tr>
    </tbody>
  );
  if (!data) {
    if (fetching) return row(<Skeleton lines={3} />);
    return row(
      <FormErrors messages={describeError(error, { FORBIDDEN: 'Only administrators can see API calls.' }).general} />,
    );
  }
  const { edges, pageInfo } = data.recentApiCalls;
  if (edges.length === 0 && after === null) {
    return row(
      <EmptyState title={filter.operationName || filter.outcome ? 'No calls match these filters' : 'No calls yet'}>
        <p>Calls are kept for a week.</p>
      </EmptyState>,
    );
  }
  const now = new Date();
  return (
    <tbody>
      {edges.map(({ node }) => {
        const at = new Date(node.at);
        const meta = [
          PHASE[node.phase] ?? node.operationType,
          node.transport,
          node.clientName && `${node.clientName}${node.clientVersion ? ` ${node.clientVersion}` : ''}`,
          node.user ? `@${node.user.handle}` : 'anonymous',
        ].filter(Boolean);
        return (
          <tr key={node.id}>
            <th scope="row">
              {node.operationName ?? <i>Anonymous</i>}
              <span className="call-meta">{meta.join(' · ')}</span>
            </th>
            <td className={node.outcome === 'ERROR' ? 'outcome-error' : undefined}>
              {node.outcome === 'ERROR' ? 'Error' : 'OK'}
              {node.errorCodes.length > 0 && <span className="call-meta">{node.errorCodes.join(', ')}</span>}
            </td>
            <td className="num">{formatMs(node.durationMs)}</td>
            <td className="num">
              <time dateTime={node.at} title={dateTime.format(at)}>
                {sameDay(at, now) ? time.format(at) : dateTime.format(at)}
              </time>
            </td>
          </tr>
        );
      })}
      {onMore && pageInfo.hasNextPage && pageInfo.endCursor && (
        <tr>
          <td colSpan={COLUMNS}>
            <LoadMore label="Older calls" loading={fetching} onMore={() => onMore(pageInfo.endCursor!)} />
          </td>
        </tr>
      )}
    </tbody>
  );
}
