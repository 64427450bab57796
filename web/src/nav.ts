import type { Session } from './session';

/** The header's main sections, in order. `show` hides an entry from who may not use it. */
export interface NavEntry {
  label: string;
  to: string;
  show?: (session: Session) => boolean;
}

export const mainNav: NavEntry[] = [
  { label: 'Panels', to: '/' },
  { label: 'Pictures', to: '/pictures' },
  { label: 'Search', to: '/search' },
  { label: 'Admin', to: '/admin', show: (session) => session.roles.includes('admin') },
];

/** The signed-in user's menu (after "Your profile", before "Sign out"). */
export const userMenu: NavEntry[] = [
  { label: 'Edit profile', to: '/settings/profile' },
  { label: 'Notification settings', to: '/settings/notifications' },
  { label: 'API keys', to: '/settings/api-keys' },
];
