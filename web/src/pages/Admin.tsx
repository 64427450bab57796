import { PageHeading } from '../router';
import { useSession } from '../session';

/** The admin dashboard (issue 12) replaces this page: API usage, recent calls, live updates. */
export default function Admin() {
  const { roles } = useSession();
  return (
    <section className="empty-state">
      <PageHeading>Admin</PageHeading>
      <p>
        {roles.includes('admin') ? 'The dashboard is not available yet.' : 'Only administrators can see this page.'}
      </p>
    </section>
  );
}
