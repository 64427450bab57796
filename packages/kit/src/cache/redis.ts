import { Redis } from 'ioredis';
import type { Checkable } from '../health';
import type { Logger } from '../log';
import { metrics } from '../metrics';
import type { Cache } from './port';

/**
 * INCR and the window's expiry in one atomic step. The expiry is set whenever the key has
 * none, so a counter can never outlive its window, even one written by an older client.
 */
const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export interface RedisCacheOptions {
  /** Prepended to every key, so several apps or test runs can share one Redis. */
  keyPrefix?: string;
  log?: Logger;
}

/** Longest a command may take before it fails (the caller then goes to the database). */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
const FIRST_CONNECT_WAIT_MS = 1_000;

/** Resolves when `redis` first connects, or FIRST_CONNECT_WAIT_MS later: no miss just for starting. */
export function firstConnection(redis: Redis): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
    timer.unref();
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * ioredis options for a Redis that must never hold up a request: while the server is
 * unreachable a command is refused at once (no offline queue, no retry), one that gets no
 * answer fails after REDIS_COMMAND_TIMEOUT_MS, and the client reconnects by itself (every
 * 100 ms to 1 s). Callers treat a failure as a miss.
 */
export const FAIL_FAST_REDIS = {
  enableOfflineQueue: false,
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  connectTimeout: 1_000,
  maxRetriesPerRequest: 0,
  retryStrategy: (times: number) => Math.min(100 * times, 1_000),
  // How long close() waits for the socket to end (a timer that outlives a failed socket).
  disconnectTimeout: 500,
} as const;

/**
 * The cache of distributed mode: Redis, values stored as JSON with a PX time to live.
 * It fails fast: while Redis is unreachable a command is refused at once (no offline
 * queue) and a command that gets no answer fails after REDIS_COMMAND_TIMEOUT_MS, so callers
 * treat the cache as a miss and never wait for a reconnect. The client reconnects by itself
 * (every 100 ms to 1 s).
 */
export class RedisCache implements Cache, Checkable {
  private readonly redis: Redis;
  private down = false;
  /** Until the first connection, a command waits for it (bounded): no miss just for starting. */
  private connected?: Promise<void>;

  constructor(url: string, options: RedisCacheOptions = {}) {
    const log = options.log;
    this.redis = new Redis(url, { ...FAIL_FAST_REDIS, keyPrefix: options.keyPrefix });
    // One line when Redis goes away and one when it is back, not one per reconnect attempt.
    this.redis.on('error', (err: Error) => {
      if (this.down) return;
      this.down = true;
      log?.warn({ err: { message: err.message } }, 'redis unreachable: cache reads miss, writes skip');
    });
    this.redis.on('ready', () => {
      if (this.down) log?.info('redis reachable again');
      this.down = false;
    });
    this.connected = firstConnection(this.redis).then(() => void (this.connected = undefined));
  }

  /** Resolves once the first connection is made, or FIRST_CONNECT_WAIT_MS after the cache was. */
  async ready(): Promise<void> {
    if (this.connected) await this.connected;
  }

  /** The client, once it is connected or FIRST_CONNECT_WAIT_MS after it was made. */
  private async client(): Promise<Redis> {
    await this.ready();
    return this.redis;
  }

  async health(): Promise<void> {
    if (this.redis.status !== 'ready') throw new Error(`redis ${this.redis.status}`);
    await this.redis.ping();
  }

  /** The connection, for what needs Redis itself on the same server (rate-limit.ts). */
  get redisClient(): Redis {
    return this.redis;
  }

  async get<T>(key: string): Promise<T | undefined> {
    let json: string | null;
    try {
      json = await (await this.client()).get(key);
    } catch (error) {
      metrics.cacheRequests.inc({ result: 'error' });
      throw error;
    }
    metrics.cacheRequests.inc({ result: json === null ? 'miss' : 'hit' });
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    await (await this.client()).set(key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await (await this.client()).del(...keys);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    return (await (await this.client()).eval(INCREMENT, 1, key, Math.max(1, Math.round(ttlMs)))) as number;
  }

  async close(): Promise<void> {
    // QUIT lets pending replies arrive; a client still (re)connecting only has a timer to stop.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}
