import { useEffect, useRef } from 'react';

/**
 * The end of a paged list: a "More" button, which is also pressed automatically when it
 * scrolls into view (`auto`: infinite scroll), so keyboards and screen readers can use it too.
 */
export function LoadMore({
  onMore,
  loading,
  label,
  auto = false,
}: {
  onMore: () => void;
  loading?: boolean;
  label: string;
  auto?: boolean;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  const latest = useRef(onMore);
  latest.current = onMore;
  useEffect(() => {
    if (!auto || !ref.current || typeof IntersectionObserver !== 'function') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!loading && entries.some((e) => e.isIntersecting)) latest.current();
      },
      { rootMargin: '400px' },
    );
    observer.observe(ref.current);
    return () => observer.disconnect();
    // Observed afresh after each load: a button still in view asks for the next page at once.
  }, [auto, loading]);
  return (
    <div className="load-more">
      <button ref={ref} type="button" className="secondary" onClick={onMore} disabled={loading}>
        {loading ? 'Loading…' : label}
      </button>
    </div>
  );
}
