import type { Role } from '@agora/kit/viewer';

/** ADMIN_EMAILS: a comma-separated list, compared case-insensitively. */
export function parseAdminEmails(list: string | undefined): Set<string> {
  return new Set(
    (list ?? '')
      .split(',')
      .map((email) => email.trim().toLowerCase())
      .filter((email) => email.length > 0),
  );
}

/** Everyone is a user; the accounts listed in ADMIN_EMAILS are admins too. */
export const rolesOf = (email: string, admins: Set<string>): Role[] =>
  admins.has(email.toLowerCase()) ? ['user', 'admin'] : ['user'];
