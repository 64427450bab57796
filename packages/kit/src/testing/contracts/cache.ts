import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../wait';
import type { Cache } from '../../cache/port';

/** The behaviour every Cache adapter must have; run once per adapter. */
export function cacheContract(adapter: string, open: () => Promise<Cache>): void {
  describe(`Cache contract: ${adapter}`, () => {
    let cache: Cache;
    let ns: string;
    beforeEach(async () => {
      cache = await open();
      ns = randomUUID();
    });
    afterEach(() => cache.close());

    it('returns what was set, as JSON', async () => {
      const at = new Date('2026-01-02T03:04:05.000Z');
      await cache.set(`${ns}:a`, { n: 1, at, list: ['x'] }, 60_000);
      expect(await cache.get(`${ns}:a`)).toEqual({ n: 1, at: at.toISOString(), list: ['x'] });
    });

    it('misses unknown keys', async () => {
      expect(await cache.get(`${ns}:none`)).toBeUndefined();
    });

    it('gives copies: mutating a read value does not change the cache', async () => {
      await cache.set(`${ns}:obj`, { n: 1 }, 60_000);
      const first = await cache.get<{ n: number }>(`${ns}:obj`);
      first!.n = 2;
      expect(await cache.get(`${ns}:obj`)).toEqual({ n: 1 });
    });

    // Windows are a second or more: wide enough that a busy machine cannot outlast them between
    // two calls, and the waits end as soon as the entry is gone instead of sleeping a fixed time.
    it('forgets entries after their time to live', async () => {
      const setAt = Date.now();
      await cache.set(`${ns}:ttl`, 'v', 1_000);
      expect(await cache.get(`${ns}:ttl`)).toBe('v');
      await waitFor('the entry to expire', async () => (await cache.get(`${ns}:ttl`)) === undefined, 10_000);
      expect(Date.now() - setAt).toBeGreaterThanOrEqual(900); // not before its time (clock slack allowed)
    });

    it('counts atomically within a window, then starts over', async () => {
      const key = `${ns}:count`;
      const values = await Promise.all(Array.from({ length: 20 }, () => cache.increment(key, 1_500)));
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await cache.get(key)).toBe(20);
      await waitFor('the window to end', async () => (await cache.get(key)) === undefined, 10_000);
      expect(await cache.increment(key, 1_500)).toBe(1);
    });

    it('deletes several keys at once and overwrites on set', async () => {
      await cache.set(`${ns}:1`, 1, 60_000);
      await cache.set(`${ns}:2`, 2, 60_000);
      await cache.set(`${ns}:3`, 3, 60_000);
      await cache.set(`${ns}:3`, 33, 60_000);
      await cache.delete(`${ns}:1`, `${ns}:2`);
      expect(await cache.get(`${ns}:1`)).toBeUndefined();
      expect(await cache.get(`${ns}:2`)).toBeUndefined();
      expect(await cache.get(`${ns}:3`)).toBe(33);
    });
  });
}
