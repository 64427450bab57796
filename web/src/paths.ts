/** Addresses of the app's pages, built in one place (the patterns live in routes.ts). */
const seg = encodeURIComponent;

export const paths = {
  panels: () => '/',
  signIn: (next?: string) => (next && next !== '/' ? `/signin?next=${seg(next)}` : '/signin'),
  panel: (slug: string) => `/p/${seg(slug)}`,
  post: (id: string) => `/post/${seg(id)}`,
  pictures: (filter: { tag?: string; owner?: string } = {}) => {
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1])));
    return query.size > 0 ? `/pictures?${query}` : '/pictures';
  },
  picture: (id: string) => `/pictures/${seg(id)}`,
  user: (handle: string) => `/u/${seg(handle)}`,
  followers: (handle: string) => `/u/${seg(handle)}/followers`,
  following: (handle: string) => `/u/${seg(handle)}/following`,
  editProfile: () => '/settings/profile',
  /** The search page; `types` and `tags` repeat (`?q=…&type=POST&tag=cats`). */
  search: (query: { q?: string; types?: readonly string[]; tags?: readonly string[] } = {}) => {
    const params = new URLSearchParams();
    if (query.q) params.set('q', query.q);
    for (const type of query.types ?? []) params.append('type', type);
    for (const tag of query.tags ?? []) params.append('tag', tag);
    return params.size > 0 ? `/search?${params}` : '/search';
  },
  admin: () => '/admin',
  notifications: () => '/notifications',
  notificationSettings: () => '/settings/notifications',
  apiKeys: () => '/settings/api-keys',
};
