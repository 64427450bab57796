import { createHash } from 'node:crypto';
import type { Cache } from '@agora/kit/cache/port';
import { apiError } from '@agora/kit/errors';
import { LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_MS, loginWindow } from './domain/login-limit';

/**
 * Counts failed logins per account and per client address in fixed one-minute windows
 * (cache counters, atomic across replicas). Once either reaches the limit, logins for it
 * are RATE_LIMITED until the window ends, whatever the password.
 */
export class LoginLimiter {
  constructor(private readonly cache: Cache) {}

  /** Throws RATE_LIMITED when the account or the address has no attempts left in this window. */
  async check(email: string, address: string): Promise<void> {
    const window = loginWindow(Date.now());
    const counts = await Promise.all(this.keys(email, address, window.index).map((key) => this.cache.get<number>(key)));
    if (counts.some((count) => (count ?? 0) >= LOGIN_FAILURE_LIMIT)) throw rateLimited(window.retryAfterSeconds);
  }

  /** Counts a failure; throws RATE_LIMITED when it used up the last attempt. */
  async failed(email: string, address: string): Promise<void> {
    const window = loginWindow(Date.now());
    const counts = await Promise.all(
      this.keys(email, address, window.index).map((key) => this.cache.increment(key, LOGIN_WINDOW_MS)),
    );
    if (counts.some((count) => count >= LOGIN_FAILURE_LIMIT)) throw rateLimited(window.retryAfterSeconds);
  }

  private keys(email: string, address: string, window: number): string[] {
    // Hashed, so the cache holds no email addresses.
    const account = createHash('sha256').update(email).digest('base64url');
    return [`auth:login-failures:account:${account}:${window}`, `auth:login-failures:address:${address}:${window}`];
  }
}

const rateLimited = (retryAfter: number) =>
  apiError('RATE_LIMITED', `Too many failed sign-in attempts; try again in ${retryAfter} s`, {
    retryAfter,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
  });
