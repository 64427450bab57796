import type { Role } from '@agora/kit/viewer';

/**
 * Roles beyond `user` are granted to an existing account by a server-side step
 * (`npm run admin:grant -- <email>`, see src/admin-grant.ts), never by registering: no
 * address makes an account admin by itself.
 */
export const GRANTABLE_ROLES = ['admin'] as const satisfies readonly Role[];
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

/** An account's roles: everyone is a user, plus what was granted to it. */
export const rolesOf = (granted: readonly string[]): Role[] => [
  'user',
  ...GRANTABLE_ROLES.filter((role) => granted.includes(role)),
];
