import { route } from './router';

/**
 * Every address of the app: one line per page, each page its own file under pages/ (and its
 * own chunk). To add a page: write pages/<Name>.tsx with a default export taking PageProps,
 * add its line here, and, if it is a main section, its entry in nav.ts.
 */
export const routes = [
  route('/', () => import('./pages/Panels')),
  route('/signin', () => import('./pages/SignIn')),
  route('/p/:slug', () => import('./pages/PanelPage')),
  route('/post/:id', () => import('./pages/PostPage')),
  route('/pictures', () => import('./pages/Pictures')),
  route('/pictures/:id', () => import('./pages/PicturePage')),
  route('/u/:handle', () => import('./pages/Profile')),
  route('/u/:handle/followers', () => import('./pages/Follows')),
  route('/u/:handle/following', () => import('./pages/Follows')),
  route('/settings/profile', () => import('./pages/EditProfile')),
  route('/search', () => import('./pages/Search')),
  route('/admin', () => import('./pages/Admin')),
  route('/notifications', () => import('./pages/Notifications')),
  route('/settings/notifications', () => import('./pages/NotificationSettings')),
  route('/verify-email', () => import('./pages/VerifyEmail')),
  route('/unsubscribe', () => import('./pages/Unsubscribe')),
  route('/settings/api-keys', () => import('./pages/ApiKeys')),
];
