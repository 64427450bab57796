import {
  Suspense,
  lazy,
  useEffect,
  useLayoutEffect,
  useRef,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type ComponentType,
  type LazyExoticComponent,
  type MouseEvent,
  type ReactNode,
} from 'react';

/**
 * A small history-API router: a table of path patterns (`/p/:slug`), one lazily loaded
 * page per route (its own chunk), links that navigate without a reload, the document title
 * set by the page's heading, and focus moved to that heading after each navigation.
 */
export interface PageProps {
  /** The route's `:name` segments, decoded. */
  params: Record<string, string>;
  /** The query string. */
  search: URLSearchParams;
}

export interface RouteDef {
  path: string;
  Page: LazyExoticComponent<ComponentType<PageProps>>;
  /** Starts loading the page's chunk (on link hover), so the click renders at once. */
  preload: () => Promise<unknown>;
  pattern: RegExp;
  names: string[];
}

/** One table entry: a path pattern and the page module (default export) that renders it. */
export function route(path: string, load: () => Promise<{ default: ComponentType<PageProps> }>): RouteDef {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  let loading: Promise<{ default: ComponentType<PageProps> }> | undefined;
  const preload = () => (loading ??= load());
  return { path, Page: lazy(preload), preload, pattern: new RegExp(`^${source}/?$`), names };
}

export function matchRoute(routes: RouteDef[], pathname: string) {
  for (const entry of routes) {
    const match = entry.pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    try {
      entry.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1]!)));
    } catch {
      return undefined; // a malformed %-escape: no page has that address
    }
    return { route: entry, params };
  }
  return undefined;
}

// --- location -----------------------------------------------------------------------------

const NAVIGATED = 'agora:navigate';
/** Set by navigate(): the next page heading to mount takes the focus (not on first load). */
let focusPending = false;

function subscribe(listener: () => void) {
  window.addEventListener('popstate', listener);
  window.addEventListener(NAVIGATED, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(NAVIGATED, listener);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query string (`/pictures?tag=cats`). */
export function useLocation(): { pathname: string; search: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams, href };
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  focusPending = true;
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATED));
}

window.addEventListener('popstate', () => {
  focusPending = true;
});

/** Addresses of the first version of the app (`#/p/slug`) still work: they become paths. */
export function upgradeHashAddress() {
  const hash = window.location.hash;
  if (hash.startsWith('#/')) window.history.replaceState(null, '', hash.slice(1) || '/');
}

// --- links and pages --------------------------------------------------------------------------

let preloadFor: ((to: string) => void) | undefined;

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An <a href> that navigates in place (plain clicks only: ctrl/middle click open a new tab). */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={click} onMouseEnter={() => preloadFor?.(to)} onFocus={() => preloadFor?.(to)} {...rest} />
  );
}

/** Renders the page of the current path, or `notFound`; pages load behind `fallback`. */
export function Router({
  routes,
  notFound: NotFound,
  fallback,
}: {
  routes: RouteDef[];
  notFound: ComponentType<PageProps>;
  fallback: ReactNode;
}) {
  const { pathname, search, href } = useLocation();
  preloadFor = (to) => void matchRoute(routes, new URL(to, window.location.origin).pathname)?.route.preload();
  const match = matchRoute(routes, pathname);
  const Page = match?.route.Page ?? NotFound;
  // Keyed by path: a new address mounts a fresh page (its state does not leak across).
  return (
    <Suspense fallback={fallback}>
      <Page key={pathname} params={match?.params ?? {}} search={search} />
      <ScrollToTop href={href} />
    </Suspense>
  );
}

function ScrollToTop({ href }: { href: string }) {
  useEffect(() => {
    if (!window.location.hash) return;
    document.getElementById(window.location.hash.slice(1))?.scrollIntoView();
  }, [href]);
  return null;
}

/**
 * The page's one h1. It names the document (`<title> · Agora`) and, after a navigation,
 * takes the focus so screen readers announce the new page.
 */
export function PageHeading({ children, title }: { children: ReactNode; title?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const text = title ?? (typeof children === 'string' ? children : undefined);
  useLayoutEffect(() => {
    const name = text ?? ref.current?.textContent ?? '';
    document.title = name ? `${name} · Agora` : 'Agora';
  }, [text, children]);
  useEffect(() => {
    if (!focusPending) return;
    focusPending = false;
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
