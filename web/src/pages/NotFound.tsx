import { paths } from '../paths';
import { Link, PageHeading, useLocation } from '../router';

/** Any address no route matches. */
export default function NotFound() {
  const { pathname } = useLocation();
  return (
    <section className="empty-state">
      <PageHeading>Page not found</PageHeading>
      <p>
        There is nothing at <code className="wrap">{pathname}</code>. It may have moved, or the link may be mistyped.
      </p>
      <p>
        <Link to={paths.panels()}>Go to the panels</Link>
      </p>
    </section>
  );
}
