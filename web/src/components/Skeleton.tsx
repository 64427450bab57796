/** Grey placeholders in the shape of what is loading; announced once as "Loading". */
export function Skeleton({ lines = 3, count = 1 }: { lines?: number; count?: number }) {
  return (
    <div role="status" aria-label="Loading" className="skeleton-group">
      {Array.from({ length: count }, (_, n) => (
        <div key={n} className="skeleton" aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <span key={i} className="skeleton-line" />
          ))}
        </div>
      ))}
    </div>
  );
}

/** A page still loading its code or data: heading bar and a few cards. */
export function PageSkeleton() {
  return (
    <div role="status" aria-label="Loading">
      <span className="skeleton-title" aria-hidden="true" />
      <div className="skeleton" aria-hidden="true">
        <span className="skeleton-line" />
        <span className="skeleton-line" />
        <span className="skeleton-line" />
      </div>
      <div className="skeleton" aria-hidden="true">
        <span className="skeleton-line" />
        <span className="skeleton-line" />
      </div>
    </div>
  );
}
