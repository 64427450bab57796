import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DocumentStore } from '../../documents/port';

/** The behaviour every DocumentStore adapter must have; run once per adapter. */
export function documentStoreContract(adapter: string, open: () => Promise<DocumentStore>): void {
  describe(`DocumentStore contract: ${adapter}`, () => {
    let store: DocumentStore;
    let coll: string;
    const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    beforeEach(async () => {
      store = await open();
      coll = `contract_${randomUUID().replaceAll('-', '')}`;
      await store.insert(coll, [
        { op: 'a', ms: 5, at: t(1), ok: true },
        { op: 'b', ms: 50, at: t(2), ok: false },
        { op: 'a', ms: 20, at: t(3), ok: true },
        { op: 'c', ms: 1, at: t(4), ok: true },
      ]);
    });
    afterEach(() => store.close());

    it('finds by equality and keeps types (Dates, booleans, numbers)', async () => {
      const rows = await store.find(coll, { op: 'b' });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ op: 'b', ms: 50, ok: false });
      expect(Object.prototype.toString.call(rows[0]!.at)).toBe('[object Date]');
      expect((rows[0]!.at as Date).toISOString()).toBe(t(2).toISOString());
    });

    it('filters by ranges on dates and numbers, and by membership', async () => {
      expect(await store.count(coll, { at: { $gte: t(2), $lt: t(4) } })).toBe(2);
      expect(await store.count(coll, { ms: { $gt: 5 } })).toBe(2);
      expect(await store.count(coll, { op: { $in: ['a', 'c'] } })).toBe(3);
      expect(await store.count(coll, { op: 'a', ok: true })).toBe(2);
    });

    it('sorts and limits', async () => {
      const rows = await store.find(coll, {}, { sort: { ms: -1 }, limit: 2 });
      expect(rows.map((r) => r.ms)).toEqual([50, 20]);
      const byTime = await store.find(coll, { op: 'a' }, { sort: { at: 1 } });
      expect(byTime.map((r) => r.ms)).toEqual([5, 20]);
    });

    it('answers an empty result for an unknown collection', async () => {
      expect(await store.find(`none_${randomUUID().replaceAll('-', '')}`, {})).toEqual([]);
    });
  });
}
