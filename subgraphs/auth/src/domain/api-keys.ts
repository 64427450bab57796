import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from '@agora/kit/auth';
import { badInput } from '@agora/kit/errors';

export const API_KEY_NAME_MAX = 50;
/** Live (not revoked, not expired) keys a user may hold. */
export const MAX_LIVE_API_KEYS = 20;
/** Keys listed, newest first (live and expired). */
export const API_KEYS_LISTED = 50;
export const API_KEY_MAX_LIFETIME_MS = 2 * 365 * 24 * 60 * 60_000;
/** The access token minted for one request made with a key lives this long (it only travels gateway → subgraphs). */
export const API_KEY_TOKEN_TTL_SECONDS = 5 * 60;

/** A new key: the secret (shown once), what is shown afterwards, and what is stored. */
export function newApiKeySecret(): { key: string; prefix: string; hash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 8), hash: hashApiKey(key) };
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** Validates createApiKey's input against `now`; BAD_USER_INPUT naming the field otherwise. */
export function apiKeyInput(
  input: { name: string; expiresAt?: string | Date | null },
  now: number,
): { name: string; expiresAt: Date | null } {
  const name = input.name.trim();
  if ([...name].length < 1 || [...name].length > API_KEY_NAME_MAX) {
    throw badInput(`name must be 1 to ${API_KEY_NAME_MAX} characters`, 'name');
  }
  if (input.expiresAt == null) return { name, expiresAt: null };
  const expiresAt = new Date(input.expiresAt);
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now) {
    throw badInput('expiresAt must be in the future', 'expiresAt');
  }
  if (expiresAt.getTime() - now > API_KEY_MAX_LIFETIME_MS) {
    throw badInput('expiresAt must be at most two years ahead', 'expiresAt');
  }
  return { name, expiresAt };
}
