/** Failed logins allowed per account and per client address in one window. */
export const LOGIN_FAILURE_LIMIT = 20;
export const LOGIN_WINDOW_MS = 60_000;

/**
 * Fixed windows aligned on the clock: every counter of one window shares its key suffix
 * and ends at the same instant, so the retry delay is known exactly.
 */
export function loginWindow(now: number, windowMs = LOGIN_WINDOW_MS): { index: number; retryAfterSeconds: number } {
  const index = Math.floor(now / windowMs);
  return { index, retryAfterSeconds: Math.max(1, Math.ceil(((index + 1) * windowMs - now) / 1000)) };
}
