import { createHash } from 'node:crypto';
import type { Cache } from '@agora/kit/cache/port';
import { apiError } from '@agora/kit/errors';
import type { Logger } from '@agora/kit/log';
import { LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_MS, loginWindow } from './domain/login-limit';

/**
 * Counts failed logins per account and per client address in fixed one-minute windows
 * (cache counters, atomic across replicas). Once either reaches the limit, logins for it
 * are RATE_LIMITED until the window ends, whatever the password.
 *
 * Fail-open, deliberately: while the cache (Redis) is unreachable, attempts are neither
 * checked nor counted, so people can still sign in; each attempt still costs an argon2
 * verification, which bounds guessing. One warning is logged when counting stops working.
 */
export class LoginLimiter {
  private blind = false;

  constructor(
    private readonly cache: Cache,
    private readonly log?: Logger,
  ) {}

  /** Throws RATE_LIMITED when the account or the address has no attempts left in this window. */
  async check(email: string, address: string): Promise<void> {
    const window = loginWindow(Date.now());
    const counts = await this.failOpen(() =>
      Promise.all(this.keys(email, address, window.index).map((key) => this.cache.get<number>(key))),
    );
    if (counts?.some((count) => (count ?? 0) >= LOGIN_FAILURE_LIMIT)) throw rateLimited(window.retryAfterSeconds);
  }

  /** Counts a failure; throws RATE_LIMITED when it used up the last attempt. */
  async failed(email: string, address: string): Promise<void> {
    const window = loginWindow(Date.now());
    const counts = await this.failOpen(() =>
      Promise.all(this.keys(email, address, window.index).map((key) => this.cache.increment(key, LOGIN_WINDOW_MS))),
    );
    if (counts?.some((count) => count >= LOGIN_FAILURE_LIMIT)) throw rateLimited(window.retryAfterSeconds);
  }

  private async failOpen<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const value = await work();
      if (this.blind) this.log?.info('login limits counting again');
      this.blind = false;
      return value;
    } catch (error) {
      if (!this.blind)
        this.log?.warn(
          { err: { message: (error as Error).message } },
          'login limits off: cache unreachable (fail-open)',
        );
      this.blind = true;
      return undefined;
    }
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
