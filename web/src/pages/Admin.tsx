import { Suspense, lazy, useEffect, useState } from 'react';
import { Skeleton } from '../components/Skeleton';
import { paths } from '../paths';
import { Link, PageHeading } from '../router';
import { sessionRestored, useSession } from '../session';

/** The dashboard and its charting library load only for admins (their own chunk). */
const Dashboard = lazy(() => import('./admin/Dashboard'));

/** False until a stored session has been restored (or refused), so nobody is told to sign in in vain. */
function useSessionRestored(): boolean {
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    let mounted = true;
    void sessionRestored().then(() => mounted && setRestored(true));
    return () => {
      mounted = false;
    };
  }, []);
  return restored;
}

/** The admin dashboard (issue 12): for admins only; others are told so plainly. */
export default function Admin() {
  const { user, roles } = useSession();
  const restored = useSessionRestored();
  const loading = (
    <>
      <PageHeading>API usage</PageHeading>
      <Skeleton lines={4} count={2} />
    </>
  );
  if (!restored && !user) return loading;
  if (!user) {
    return (
      <>
        <PageHeading>Admin</PageHeading>
        <p className="notice">
          <Link to={paths.signIn(paths.admin())}>Sign in</Link> with an administrator’s account to see the admin
          dashboard.
        </p>
      </>
    );
  }
  if (!roles.includes('admin')) {
    return (
      <section className="empty-state">
        <PageHeading>Not allowed</PageHeading>
        <p>You are not allowed to see this page: the admin dashboard is only for administrators.</p>
        <p>
          <Link to={paths.panels()}>Back to the panels</Link>
        </p>
      </section>
    );
  }
  return (
    <Suspense fallback={loading}>
      <Dashboard />
    </Suspense>
  );
}
