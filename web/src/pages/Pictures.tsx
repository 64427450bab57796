import { PageHeading } from '../router';

/** The gallery: replaced by the full one (grid, filters, upload) in the next commits. */
export default function Pictures() {
  return (
    <section className="empty-state">
      <PageHeading>Pictures</PageHeading>
      <p>No pictures yet.</p>
    </section>
  );
}
