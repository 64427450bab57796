import type { Cache } from '@agora/kit/cache/port';
import type { Logger } from '@agora/kit/log';
import { rateLimitedError, RateLimits, type RateLimiter } from '@agora/kit/rate-limit';

/**
 * Accounts created per client address in a window (rate-limiter-flexible over the cache:
 * Redis, shared by the replicas, in distributed mode). The address is the gateway's signed
 * `x-forwarded-for`, else the caller's own socket address (kit/gateway-trust.ts), so a
 * forged header sent straight to this service changes nothing. Counted once the input is
 * valid and before the password is hashed: a refused registration costs no hashing.
 */
export class RegistrationLimiter {
  private readonly limiter: RateLimiter;

  constructor(cache: Cache, rule: { points: number; windowSeconds: number }, log?: Logger) {
    this.limiter = new RateLimits(cache, { prefix: 'auth:rate', log }).limiter({ name: 'registrations', ...rule });
  }

  /** Counts a registration from `address`; RATE_LIMITED (HTTP 429, Retry-After) past the limit. */
  async count(address: string): Promise<void> {
    const state = await this.limiter.consume(address);
    if (!state.allowed) {
      throw rateLimitedError(
        state,
        `Too many accounts created from this address; try again in ${state.resetSeconds} s`,
      );
    }
  }
}
