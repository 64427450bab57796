import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../__generated__';
import { EmptyState } from '../components/EmptyState';
import { NOTIFICATIONS_READ } from '../components/NotificationsBell';
import { LoadMore } from '../components/LoadMore';
import { RelativeTime } from '../components/RelativeTime';
import { Skeleton } from '../components/Skeleton';
import { FormErrors } from '../components/form';
import { describeError } from '../errors';
import { paths } from '../paths';
import { Link, PageHeading, navigate } from '../router';
import { useSessionUser } from '../session';

const NotificationsQuery = graphql(`
  query MyNotifications($first: Int!, $after: String, $unreadOnly: Boolean) {
    me {
      id
      unreadNotificationCount
      notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
        edges {
          node {
            id
            kind
            summary
            excerpt
            path
            read
            createdAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const MarkReadMutation = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids)
  }
`);

const MarkAllReadMutation = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`);

const PAGE = 20;
const announceRead = () => window.dispatchEvent(new Event(NOTIFICATIONS_READ));

/** The signed-in user's notifications, newest first; opening one marks it read. */
export default function Notifications() {
  const user = useSessionUser();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [pages, setPages] = useState<(string | null)[]>([null]);
  if (!user) {
    return (
      <>
        <PageHeading>Notifications</PageHeading>
        <p className="notice">
          <Link to={paths.signIn(paths.notifications())}>Sign in</Link> to see your notifications.
        </p>
      </>
    );
  }
  return (
    <>
      <PageHeading>Notifications</PageHeading>
      <div className="actions">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={unreadOnly}
            onChange={(e) => {
              setUnreadOnly(e.target.checked);
              setPages([null]);
            }}
          />
          Unread only
        </label>
        <MarkAllRead />
        <Link to={paths.notificationSettings()} className="button secondary">
          Settings
        </Link>
      </div>
      <ul className="notification-list" aria-label="Notifications">
        {pages.map((after, i) => (
          <NotificationPage
            key={`${unreadOnly}-${after ?? 'first'}`}
            after={after}
            unreadOnly={unreadOnly}
            onMore={i === pages.length - 1 ? (cursor) => setPages([...pages, cursor]) : undefined}
          />
        ))}
      </ul>
    </>
  );
}

function MarkAllRead() {
  const [result, markAll] = useMutation(MarkAllReadMutation);
  return (
    <button
      type="button"
      className="secondary"
      disabled={result.fetching}
      onClick={() => void markAll({}, { additionalTypenames: ['Notification'] }).then(announceRead)}
    >
      Mark all as read
    </button>
  );
}

function NotificationPage({
  after,
  unreadOnly,
  onMore,
}: {
  after: string | null;
  unreadOnly: boolean;
  onMore?: (cursor: string) => void;
}) {
  const [{ data, fetching, error }] = useQuery({
    query: NotificationsQuery,
    variables: { first: PAGE, after, unreadOnly },
    requestPolicy: 'cache-and-network',
  });
  const [, markRead] = useMutation(MarkReadMutation);
  if (fetching && !data) return <Skeleton lines={3} />;
  if (!data?.me?.notifications) return <FormErrors messages={describeError(error).general} />;
  const { edges, pageInfo } = data.me.notifications;
  if (edges.length === 0 && after === null) {
    return (
      <li>
        <EmptyState title={unreadOnly ? 'Nothing unread' : 'No notifications yet'}>
          <p>Replies to your posts and comments, new followers and your pictures show up here.</p>
        </EmptyState>
      </li>
    );
  }
  const open = async (id: string, path: string, read: boolean) => {
    if (!read) await markRead({ ids: [id] }, { additionalTypenames: ['Notification'] }).then(announceRead);
    navigate(path);
  };
  return (
    <>
      {edges.map(({ node }) => (
        <li key={node.id} className={node.read ? 'notification' : 'notification unread'}>
          <a
            href={node.path}
            onClick={(event) => {
              event.preventDefault();
              void open(node.id, node.path, node.read);
            }}
          >
            <span className="notification-summary">{node.summary}</span>
            {!node.read && <span className="visually-hidden"> (unread)</span>}
          </a>
          {node.excerpt && <p className="notification-excerpt">{node.excerpt}</p>}
          <RelativeTime iso={node.createdAt} />
        </li>
      ))}
      {onMore && pageInfo.hasNextPage && pageInfo.endCursor && (
        <li>
          <LoadMore label="Older notifications" onMore={() => onMore(pageInfo.endCursor!)} />
        </li>
      )}
    </>
  );
}
