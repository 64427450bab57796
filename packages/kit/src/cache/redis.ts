import { Redis } from 'ioredis';
import type { Logger } from '../log';
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

/** The cache of distributed mode: Redis, values stored as JSON with a PX time to live. */
export class RedisCache implements Cache {
  private readonly redis: Redis;

  constructor(url: string, options: RedisCacheOptions = {}) {
    this.redis = new Redis(url, {
      keyPrefix: options.keyPrefix,
      // Fail a command after a few reconnect attempts instead of queueing it forever.
      maxRetriesPerRequest: 3,
      // How long close() waits for the socket to end (a timer that outlives a failed socket).
      disconnectTimeout: 500,
    });
    // Without a listener ioredis prints every connection error; it reconnects by itself.
    this.redis.on('error', (err: Error) => options.log?.warn({ err }, 'redis connection error'));
  }

  /** The connection, for what needs Redis itself on the same server (rate-limit.ts). */
  get redisClient(): Redis {
    return this.redis;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const json = await this.redis.get(key);
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    return (await this.redis.eval(INCREMENT, 1, key, Math.max(1, Math.round(ttlMs)))) as number;
  }

  async close(): Promise<void> {
    // QUIT lets pending replies arrive; a client still (re)connecting only has a timer to stop.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}
