import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DocumentStore, IndexSpec, Stage } from '../../documents/port';

/**
 * The behaviour every DocumentStore adapter must have; run once per adapter. Each expected
 * answer is written out, so two adapters passing it give identical answers on the same data.
 */
export function documentStoreContract(adapter: string, open: () => Promise<DocumentStore>): void {
  describe(`DocumentStore contract: ${adapter}`, () => {
    let store: DocumentStore;
    let coll: string;
    const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    const fresh = () => `contract_${randomUUID().replaceAll('-', '')}`;
    beforeEach(async () => {
      store = await open();
      coll = fresh();
      await store.insert(coll, [
        { op: 'a', ms: 5, at: t(1), ok: true, client: { name: 'web' } },
        { op: 'b', ms: 50, at: t(2), ok: false, client: { name: 'cli' } },
        { op: 'a', ms: 20, at: t(3), ok: true, client: { name: 'web' } },
        { op: 'c', ms: 1, at: t(4), ok: true, client: { name: 'cli' } },
      ]);
    });
    afterEach(() => store.close());

    it('finds by equality and keeps types (Dates, booleans, numbers), without server-made ids', async () => {
      const rows = await store.find(coll, { op: 'b' });
      expect(rows).toEqual([{ op: 'b', ms: 50, at: t(2), ok: false, client: { name: 'cli' } }]);
      expect(Object.prototype.toString.call(rows[0]!.at)).toBe('[object Date]');
    });

    it('filters by ranges on dates and numbers, membership, inequality, dotted paths and $or', async () => {
      expect(await store.count(coll, { at: { $gte: t(2), $lt: t(4) } })).toBe(2);
      expect(await store.count(coll, { ms: { $gt: 5 } })).toBe(2);
      expect(await store.count(coll, { op: { $in: ['a', 'c'] } })).toBe(3);
      expect(await store.count(coll, { op: 'a', ok: true })).toBe(2);
      expect(await store.count(coll, { op: { $ne: 'a' } })).toBe(2);
      expect(await store.count(coll, { 'client.name': 'cli' })).toBe(2);
      // Keyset paging's shape: before (t3, ms 20), in (at desc, ms desc) order.
      const before = await store.find(
        coll,
        { $or: [{ at: { $lt: t(3) } }, { at: t(3), ms: { $lt: 20 } }] },
        { sort: { at: -1, ms: -1 } },
      );
      expect(before.map((r) => r.ms)).toEqual([50, 5]);
    });

    it('sorts, skips and limits', async () => {
      const rows = await store.find(coll, {}, { sort: { ms: -1 }, limit: 2 });
      expect(rows.map((r) => r.ms)).toEqual([50, 20]);
      const byTime = await store.find(coll, { op: 'a' }, { sort: { at: 1 } });
      expect(byTime.map((r) => r.ms)).toEqual([5, 20]);
      const page = await store.find(coll, {}, { sort: { at: 1 }, skip: 1, limit: 2 });
      expect(page.map((r) => r.op)).toEqual(['b', 'a']);
      expect(await store.find(coll, {}, { limit: 0 })).toEqual([]);
    });

    it('answers an empty result for an unknown collection', async () => {
      const none = fresh();
      expect(await store.find(none, {})).toEqual([]);
      expect(await store.count(none, {})).toBe(0);
      expect(await store.aggregate(none, [{ $group: { _id: null, n: { $sum: 1 } } }])).toEqual([]);
    });

    it('puts by _id: inserts, replaces whole, and a repeated put changes nothing', async () => {
      const c = fresh();
      await store.put(c, [
        { _id: 'x', n: 1, extra: true },
        { _id: 'y', n: 2 },
      ]);
      await store.put(c, [{ _id: 'x', n: 10 }]);
      await store.put(c, [{ _id: 'x', n: 10 }]);
      expect(await store.find(c, {}, { sort: { _id: 1 } })).toEqual([
        { _id: 'x', n: 10 },
        { _id: 'y', n: 2 },
      ]);
      expect(await store.count(c, { _id: 'y' })).toBe(1);
    });

    it('inserts only new _ids with insertNew, leaving stored documents as they are', async () => {
      const c = fresh();
      expect(await store.insertNew(c, [{ _id: 'a', n: 1 }])).toBe(1);
      expect(
        await store.insertNew(c, [
          { _id: 'a', n: 99 },
          { _id: 'b', n: 2 },
          { _id: 'c', n: 3 },
        ]),
      ).toBe(2);
      expect(await store.insertNew(c, [{ _id: 'b', n: 98 }])).toBe(0);
      expect(await store.find(c, {}, { sort: { _id: 1 } })).toEqual([
        { _id: 'a', n: 1 },
        { _id: 'b', n: 2 },
        { _id: 'c', n: 3 },
      ]);
    });

    it('deletes what matches and says how many', async () => {
      expect(await store.delete(coll, { at: { $lt: t(3) } })).toBe(2);
      expect(await store.delete(coll, { op: 'zzz' })).toBe(0);
      expect((await store.find(coll, {}, { sort: { at: 1 } })).map((r) => r.ms)).toEqual([20, 1]);
    });

    it('aggregates: $match, $group by a field with one $sum, $sort and $limit', async () => {
      const pipeline: Stage[] = [
        { $match: { at: { $gte: t(1) } } },
        { $group: { _id: '$op', ms: { $sum: '$ms' } } },
        { $sort: { ms: -1 } },
        { $limit: 2 },
      ];
      expect(await store.aggregate(coll, pipeline)).toEqual([
        { _id: 'b', ms: 50 },
        { _id: 'a', ms: 25 },
      ]);
    });

    it('aggregates: counts by null, by a compound key (Dates stay Dates), and $count', async () => {
      expect(await store.aggregate(coll, [{ $group: { _id: null, n: { $sum: 1 } } }])).toEqual([{ _id: null, n: 4 }]);
      const byKey = await store.aggregate(coll, [
        { $match: { ok: true } },
        { $group: { _id: { client: '$client.name', at: '$at' }, n: { $sum: 1 } } },
        { $sort: { '_id.at': 1 } },
      ]);
      expect(byKey).toEqual([
        { _id: { client: 'web', at: t(1) }, n: 1 },
        { _id: { client: 'web', at: t(3) }, n: 1 },
        { _id: { client: 'cli', at: t(4) }, n: 1 },
      ]);
      expect(await store.aggregate(coll, [{ $match: { ms: { $lt: 30 } } }, { $count: 'n' }])).toEqual([{ n: 3 }]);
    });

    it('aggregates: $unwind an array and sum its elements by their own keys', async () => {
      const c = fresh();
      const cell = (k: number, n: number, at: Date) => ({ k, n, at });
      await store.put(c, [
        { _id: 'm1', scope: 'all', cells: [cell(-1, 1, t(1)), cell(3, 2, t(1)), cell(5, 1, t(1))] },
        { _id: 'm2', scope: 'all', cells: [cell(3, 4, t(2))] },
        { _id: 'm3', scope: 'op', cells: [cell(3, 100, t(2))] },
      ]);
      const rows = await store.aggregate(c, [
        { $match: { scope: 'all' } },
        { $unwind: '$cells' },
        { $group: { _id: { k: '$cells.k', at: '$cells.at' }, n: { $sum: '$cells.n' } } },
        { $sort: { '_id.at': 1, '_id.k': 1 } },
      ]);
      expect(rows).toEqual([
        { _id: { k: -1, at: t(1) }, n: 1 },
        { _id: { k: 3, at: t(1) }, n: 2 },
        { _id: { k: 5, at: t(1) }, n: 1 },
        { _id: { k: 3, at: t(2) }, n: 4 },
      ]);
    });

    it('aggregates: a group key missing from a document is null, and $sum adds numbers only', async () => {
      const c = fresh();
      await store.insert(c, [{ tag: 'x', n: 2 }, { n: 3 }, { tag: 'x', n: 'four' }, { tag: null, n: 5 }]);
      const rows = await store.aggregate(c, [{ $group: { _id: '$tag', n: { $sum: '$n' } } }, { $sort: { n: 1 } }]);
      expect(rows).toEqual([
        { _id: 'x', n: 2 },
        { _id: null, n: 8 },
      ]);
    });

    it('refuses pipelines outside the common subset, with the same reason everywhere', async () => {
      const refuse = (pipeline: unknown[], reason: RegExp) =>
        expect(store.aggregate(coll, pipeline as Stage[])).rejects.toThrow(reason);
      await refuse([{ $group: { _id: '$op', n: { $sum: 1 }, ms: { $sum: '$ms' } } }], /exactly one accumulator/);
      await refuse([{ $group: { _id: '$op', ms: { $max: '$ms' } } }], /\$sum: 1 \} or \{ \$sum/);
      await refuse([{ $unwind: '$cells' }, { $group: { _id: '$scope', n: { $sum: '$cells.n' } } }], /read only/);
      await refuse([{ $unwind: '$cells' }, { $sort: { x: 1 } }], /followed by \$group/);
      await refuse([{ $project: { op: 1 } }], /expected one of/);
    });

    it('creates indexes (TTL too) idempotently', async () => {
      const indexes: IndexSpec[] = [{ key: { op: 1, at: -1 } }, { key: { at: 1 }, expireAfterSeconds: 3600 }];
      await store.ensureIndexes(coll, indexes);
      await store.ensureIndexes(coll, indexes);
      expect(await store.count(coll, {})).toBe(4);
    });
  });
}
