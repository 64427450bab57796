/** Grey placeholders in the shape of what is loading; announced once as "Loading". */
export function Skeleton({ lines = 3, className }: { lines?: number; className?: string }) {
  return (
    <div className={`skeleton ${className ?? ''}`} aria-hidden="true">
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" />
      ))}
    </div>
  );
}

export function PageSkeleton() {
  return (
    <div role="status" aria-label="Loading">
      <span className="skeleton-title" aria-hidden="true" />
      <Skeleton lines={4} />
      <Skeleton lines={3} />
    </div>
  );
}
