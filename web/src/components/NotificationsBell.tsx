import { useEffect } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../__generated__';
import type { NotificationAddedSubscription } from '../__generated__/graphql';
import { paths } from '../paths';
import { Link } from '../router';

const UnreadCountQuery = graphql(`
  query UnreadNotificationCount {
    me {
      id
      unreadNotificationCount
    }
  }
`);

const NotificationAddedDocument = graphql(`
  subscription NotificationAdded {
    notificationAdded {
      id
    }
  }
`);

/** Pages that mark notifications read announce it, so the bell counts again. */
export const NOTIFICATIONS_READ = 'agora:notifications-read';

/**
 * The header's bell: the signed-in user's unread notifications. The server counts; each
 * `notificationAdded` (one subscription per tab, over the app's WebSocket) and each "marked
 * read" asks it again, so the count changes on an open page without a reload.
 */
export function NotificationsBell() {
  const [{ data }, refetch] = useQuery({ query: UnreadCountQuery, requestPolicy: 'cache-and-network' });
  const [live] = useSubscription<NotificationAddedSubscription, number>(
    { query: NotificationAddedDocument },
    (count = 0) => count + 1,
  );
  const arrived = live.data ?? 0;
  useEffect(() => {
    if (arrived > 0) refetch({ requestPolicy: 'network-only' });
  }, [arrived, refetch]);
  useEffect(() => {
    const again = () => {
      if (document.visibilityState === 'visible') refetch({ requestPolicy: 'network-only' });
    };
    document.addEventListener('visibilitychange', again);
    window.addEventListener(NOTIFICATIONS_READ, again);
    return () => {
      document.removeEventListener('visibilitychange', again);
      window.removeEventListener(NOTIFICATIONS_READ, again);
    };
  }, [refetch]);
  const count = data?.me?.unreadNotificationCount ?? 0;
  const label = count === 0 ? 'Notifications' : `Notifications: ${count} unread`;
  return (
    <Link to={paths.notifications()} className="bell" aria-label={label} title={label}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
        />
      </svg>
      {count > 0 && <span className="bell-count">{count > 99 ? '99+' : count}</span>}
    </Link>
  );
}
