import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Cache } from './cache/port';
import type { Logger } from './log';

/** A budget: `points` per `windowSeconds` (rate-limiter-flexible's fixed windows), for one kind of key. */
export interface RateLimitRule {
  /** Names the policy in the RateLimit headers (`"user"`, `"address"`...). */
  name: string;
  points: number;
  windowSeconds: number;
}

/** One key's standing after a request was counted. */
export interface RateLimitState {
  rule: RateLimitRule;
  allowed: boolean;
  /** Points left in the window. */
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
}

export interface RateLimiter {
  /** Counts `points` for `key`; the state says whether they fitted. */
  consume(key: string, points?: number): Promise<RateLimitState>;
  /** The key's standing without counting anything (allowed: points are left). */
  peek(key: string): Promise<RateLimitState>;
  /** Gives back points counted for a request that turned out not to count (a refused input). */
  refund(key: string, points?: number): Promise<void>;
}

/**
 * Rate limiters on rate-limiter-flexible, over the kit's cache: shared by every replica in
 * Redis when the cache is Redis (distributed mode), in process memory otherwise (embedded).
 *
 * When Redis is down or not ready, each replica goes on limiting on its own, in memory, with
 * the same rules (rate-limiter-flexible's insurance limiter): requests are neither let through
 * unlimited (fail-open) nor all refused (fail-closed); a client spread over N replicas may get
 * up to N times its budget until Redis is back. Any other limiter failure is logged and lets
 * the request through: a broken limiter must not take the API down.
 */
export class RateLimits {
  private readonly redis: unknown;

  constructor(
    cache: Cache,
    private readonly options: { prefix: string; log?: Logger },
  ) {
    // The Redis adapter exposes its ioredis client; a duck type keeps the driver out of embedded mode.
    this.redis = (cache as { redisClient?: unknown }).redisClient;
  }

  /** Whether limits are shared through Redis (else: this process only). */
  get shared(): boolean {
    return this.redis !== undefined;
  }

  limiter(rule: RateLimitRule): RateLimiter {
    const base = {
      points: rule.points,
      duration: rule.windowSeconds,
      keyPrefix: `${this.options.prefix}:${rule.name}`,
    };
    const limiter: RateLimiterAbstract = this.redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: this.redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
    const state = (res: RateLimiterRes, allowed: boolean): RateLimitState => ({
      rule,
      allowed,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    });
    const open = (error: unknown): RateLimitState => {
      this.options.log?.error({ err: error, rule: rule.name }, 'rate limiter failed; request let through');
      return { rule, allowed: true, remaining: rule.points, resetSeconds: rule.windowSeconds };
    };
    return {
      consume: async (key, points = 1) => {
        try {
          return state(await limiter.consume(key, points), true);
        } catch (rejection) {
          if (rejection instanceof RateLimiterRes) return state(rejection, false);
          return open(rejection);
        }
      },
      refund: async (key, points = 1) => {
        try {
          await limiter.reward(key, points);
        } catch (error) {
          this.options.log?.warn({ err: error, rule: rule.name }, 'rate limiter refund failed');
        }
      },
      peek: async (key) => {
        try {
          const res = await limiter.get(key);
          if (!res) return { rule, allowed: true, remaining: rule.points, resetSeconds: rule.windowSeconds };
          return state(res, res.consumedPoints < rule.points);
        } catch (error) {
          return open(error);
        }
      },
    };
  }
}

/** The state that binds first: refused before allowed, then the fewest points left. */
export function tightest(states: RateLimitState[]): RateLimitState | undefined {
  return [...states].sort(
    (a, b) =>
      Number(a.allowed) - Number(b.allowed) ||
      (a.allowed ? a.remaining - b.remaining : b.resetSeconds - a.resetSeconds),
  )[0];
}

/**
 * The IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` lists
 * every policy that applied, `RateLimit` the tightest one's remaining points and reset;
 * `Retry-After` (seconds) when refused.
 */
export function rateLimitHeaders(states: RateLimitState[]): Record<string, string> {
  const binding = tightest(states);
  if (!binding) return {};
  const headers: Record<string, string> = {
    'ratelimit-policy': states.map((s) => `"${s.rule.name}";q=${s.rule.points};w=${s.rule.windowSeconds}`).join(', '),
    ratelimit: `"${binding.rule.name}";r=${binding.remaining};t=${binding.resetSeconds}`,
  };
  if (!binding.allowed) headers['retry-after'] = String(binding.resetSeconds);
  return headers;
}

/** RATE_LIMITED, with `retryAfter` (seconds) and, where Apollo answers it, HTTP 429 and the headers. */
export function rateLimitedError(state: RateLimitState, message?: string): GraphQLError {
  return new GraphQLError(message ?? `Too many requests; try again in ${state.resetSeconds} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfter: state.resetSeconds,
      limit: state.rule.name,
      http: { status: 429, headers: headerMap(rateLimitHeaders([state])) },
    },
  });
}

/** Apollo reads `extensions.http.headers` as a HeaderMap. */
function headerMap(headers: Record<string, string>): HeaderMap {
  return new HeaderMap(Object.entries(headers));
}
