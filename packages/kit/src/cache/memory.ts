import { metrics } from '../metrics';
import type { Cache } from './port';

/** In-process cache for embedded mode and unit tests; bounded, oldest entry evicted first. */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, { json: string; expiresAt: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.entries.delete(key);
    if (!entry || entry.expiresAt <= Date.now()) {
      metrics.cacheRequests.inc({ result: 'miss' });
      return Promise.resolve(undefined);
    }
    metrics.cacheRequests.inc({ result: 'hit' });
    return Promise.resolve(JSON.parse(entry.json) as T);
  }

  set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { json: JSON.stringify(value), expiresAt: Date.now() + ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return Promise.resolve();
  }

  /** Synchronous read-modify-write: atomic within the process. */
  increment(key: string, ttlMs: number): Promise<number> {
    const entry = this.entries.get(key);
    const live = entry && entry.expiresAt > Date.now() ? entry : undefined;
    const value = (live ? (JSON.parse(live.json) as number) : 0) + 1;
    this.entries.set(key, { json: JSON.stringify(value), expiresAt: live?.expiresAt ?? Date.now() + ttlMs });
    return Promise.resolve(value);
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }
}
