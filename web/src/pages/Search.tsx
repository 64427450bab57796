import { PageHeading } from '../router';

/** Search (issue 11) replaces this page: the search box, filters and results. */
export default function Search() {
  return (
    <section className="empty-state">
      <PageHeading>Search</PageHeading>
      <p>Search is not available yet.</p>
    </section>
  );
}
