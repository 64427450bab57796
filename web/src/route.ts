import { useSyncExternalStore } from 'react';

/** Hash routes: `#/`, `#/signin`, `#/p/<slug>`, `#/post/<id>`. */
export type Route =
  { page: 'panels' } | { page: 'signin' } | { page: 'panel'; slug: string } | { page: 'post'; id: string };

export function parseRoute(hash: string): Route {
  const [, first, second] = hash.replace(/^#/, '').split('/');
  if (first === 'signin') return { page: 'signin' };
  if (first === 'p' && second) return { page: 'panel', slug: decodeURIComponent(second) };
  if (first === 'post' && second) return { page: 'post', id: decodeURIComponent(second) };
  return { page: 'panels' };
}

export const href = {
  panels: () => '#/',
  signin: () => '#/signin',
  panel: (slug: string) => `#/p/${encodeURIComponent(slug)}`,
  post: (id: string) => `#/post/${encodeURIComponent(id)}`,
};

export function navigate(to: string) {
  window.location.hash = to;
}

export function useHash(): string {
  return useSyncExternalStore(
    (listener) => {
      window.addEventListener('hashchange', listener);
      return () => window.removeEventListener('hashchange', listener);
    },
    () => window.location.hash,
  );
}
