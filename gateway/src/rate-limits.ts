import type { Cache } from '@agora/kit/cache/port';
import type { Logger } from '@agora/kit/log';
import { RateLimits, type RateLimiter, type RateLimitState } from '@agora/kit/rate-limit';
import type { Caller } from './callers';

/** Requests allowed per window, per kind of caller. */
export interface RateLimitConfig {
  windowSeconds: number;
  /** Per client address: requests without credentials, and failed authentications. */
  anonymous: number;
  /** Per user: their access tokens and all their API keys together. */
  user: number;
  /** Per API key. */
  apiKey: number;
}

/** Failed authentications an address may make per window before its credentials are no longer checked. */
export const AUTH_FAILURES_PER_WINDOW = 30;

export const DEFAULT_RATE_LIMITS: RateLimitConfig = { windowSeconds: 60, anonymous: 300, user: 600, apiKey: 600 };

/**
 * The gateway's request rate limits, counted per operation on every transport (an HTTP
 * request, a WebSocket or SSE operation, an SSE reservation): anonymous callers by client
 * address, signed-in callers by user, API-key callers by key and by the key's owner (so a
 * user's keys share the user's budget). An address that failed authentication
 * AUTH_FAILURES_PER_WINDOW times gets 429 instead of having more keys checked (key guessing).
 * Shared by the replicas through Redis (distributed mode), see @agora/kit/rate-limit.
 */
export class GatewayRateLimits {
  private readonly address: RateLimiter;
  private readonly user: RateLimiter;
  private readonly apiKey: RateLimiter;
  private readonly authFailures: RateLimiter;

  constructor(cache: Cache, config: RateLimitConfig, log: Logger) {
    const limits = new RateLimits(cache, { prefix: 'gateway:rate', log });
    const rule = (name: string, points: number) =>
      limits.limiter({ name, points, windowSeconds: config.windowSeconds });
    this.address = rule('address', config.anonymous);
    this.user = rule('user', config.user);
    this.apiKey = rule('api-key', config.apiKey);
    this.authFailures = rule('auth-failures', AUTH_FAILURES_PER_WINDOW);
  }

  /** Counts one operation for the caller; any state not allowed refuses it. */
  async admit(caller: Caller): Promise<RateLimitState[]> {
    if (caller.callerClass === 'internal') return [];
    if (!caller.viewer) return [await this.address.consume(caller.address)];
    const user = this.user.consume(caller.viewer.id);
    if (!caller.apiKeyId) return [await user];
    return Promise.all([this.apiKey.consume(caller.apiKeyId), user]);
  }

  /** Whether the address may still try credentials: past its failures, keys are not even checked. */
  mayAuthenticate(address: string): Promise<RateLimitState> {
    return this.authFailures.peek(address);
  }

  /** Counts a failed authentication (a bad token or key) against the address. */
  failedAuthentication(address: string): Promise<RateLimitState> {
    return this.authFailures.consume(address);
  }
}
