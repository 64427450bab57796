import { forbidden, unauthenticated } from './errors';

export type Role = 'user' | 'admin';

/** The signed-in caller, from a verified access token (see auth in the identity issue). */
export interface Viewer {
  id: string;
  roles: Role[];
  /** Set when the caller authenticated with an API key (its id): keys cannot manage keys. */
  apiKeyId?: string;
}

export function requireViewer(viewer: Viewer | null | undefined): Viewer {
  if (!viewer) throw unauthenticated();
  return viewer;
}

export const isAdmin = (viewer: Viewer | null | undefined) => viewer?.roles.includes('admin') ?? false;

/** Owner-or-admin rule used for edits and deletes; throws FORBIDDEN otherwise. */
export function requireOwnerOrAdmin(viewer: Viewer | null | undefined, ownerId: string): Viewer {
  const who = requireViewer(viewer);
  if (who.id !== ownerId && !isAdmin(who)) throw forbidden();
  return who;
}
