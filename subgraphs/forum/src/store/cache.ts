import type { Cache } from '@agora/kit/cache/port';
import type { Logger } from '@agora/kit/log';

export interface RecordCacheOptions<T> {
  cache: Cache;
  log: Logger;
  /** Key prefix, e.g. `forum:post:`. */
  prefix: string;
  ttlMs: number;
  /** Rebuilds a record from its JSON form (Dates come back as strings). */
  revive: (json: T) => T;
}

/**
 * A read-through cache of records by id, for hot reads (Redis in distributed mode, memory
 * in embedded mode). Writers `forget` a record once their transaction has committed, so
 * the next read loads it fresh. The cache only saves work: when it is unreachable, reads
 * go to the database and writes still succeed (the cache adapter logs the outage once; the
 * TTL bounds staleness).
 */
export class RecordCache<T extends { id: string }> {
  constructor(private readonly options: RecordCacheOptions<T>) {}

  /** Records found for `ids` (in no particular order), loading the ones not cached with `load`. */
  async byIds(ids: readonly string[], load: (missing: string[]) => Promise<T[]>): Promise<T[]> {
    const cached: (T | undefined)[] = await Promise.all(ids.map((id) => this.get(id)));
    const found = cached.filter((record) => record !== undefined);
    const missing = ids.filter((_id, i) => cached[i] === undefined);
    if (missing.length === 0) return found;
    const loaded = await load(missing);
    await Promise.all(loaded.map((record) => this.set(record)));
    return [...found, ...loaded];
  }

  async forget(...ids: string[]): Promise<void> {
    try {
      await this.options.cache.delete(...ids.map((id) => this.options.prefix + id));
    } catch (error) {
      this.options.log.debug({ err: error, ids }, 'cache unreachable: could not invalidate');
    }
  }

  private async get(id: string): Promise<T | undefined> {
    try {
      const json = await this.options.cache.get<T>(this.options.prefix + id);
      return json === undefined ? undefined : this.options.revive(json);
    } catch (error) {
      this.options.log.debug({ err: error }, 'cache unreachable: reading from the database');
      return undefined;
    }
  }

  private async set(record: T): Promise<void> {
    try {
      await this.options.cache.set(this.options.prefix + record.id, record, this.options.ttlMs);
    } catch (error) {
      this.options.log.debug({ err: error }, 'cache unreachable: not caching');
    }
  }
}
