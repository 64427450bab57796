import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCache } from '../src/cache/memory';
import {
  cacheContract,
  documentStoreContract,
  eventLogContract,
  noticesContract,
  jobQueueContract,
  waitFor,
} from '../src/testing';
import { MemoryDocumentStore } from '../src/documents/memory';
import { MemoryEventLog } from '../src/events/memory';
import { newEvent, type EventEnvelope } from '../src/events/port';
import { MemoryJobQueue } from '../src/jobs/memory';
import { MemoryNotices } from '../src/notices/memory';

cacheContract('memory', async () => new MemoryCache());
eventLogContract('memory', async () => new MemoryEventLog());
jobQueueContract('memory', async () => new MemoryJobQueue());
documentStoreContract('memory', async () => new MemoryDocumentStore());
documentStoreContract('memory persisted to files', async () => {
  // Re-opening the folder must bring the documents back (puts and deletes replayed), so
  // every read goes through a fresh instance.
  const dir = mkdtempSync(join(tmpdir(), 'agora-docs-'));
  const writer = new MemoryDocumentStore(dir);
  const reader = () => new MemoryDocumentStore(dir);
  return {
    insert: (c, docs) => writer.insert(c, docs),
    put: (c, docs) => writer.put(c, docs),
    insertNew: (c, docs) => writer.insertNew(c, docs),
    delete: (c, f) => writer.delete(c, f),
    ensureIndexes: (c, i) => writer.ensureIndexes(c, i),
    find: (c, f, o) => reader().find(c, f, o),
    count: (c, f) => reader().count(c, f),
    aggregate: (c, p) => reader().aggregate(c, p),
    close: () => writer.close(),
  };
});

describe('MemoryDocumentStore files', () => {
  it('compacts a log of mostly replaced documents and still reads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-docs-'));
    const store = new MemoryDocumentStore(dir);
    for (let round = 0; round < 30; round++) {
      await store.put(
        'c',
        Array.from({ length: 100 }, (_, i) => ({ _id: `d${i}`, round, at: new Date(round) })),
      );
    }
    const lines = readFileSync(join(dir, 'c.jsonl'), 'utf8').trim().split('\n').length;
    expect(lines).toBeLessThan(1_300);
    const again = await new MemoryDocumentStore(dir).find('c', { _id: 'd7' });
    expect(again).toEqual([{ _id: 'd7', round: 29, at: new Date(29) }]);
  });
});
noticesContract('memory', async () => new MemoryNotices());

const tempDir = () => mkdtempSync(join(tmpdir(), 'agora-events-'));
eventLogContract(
  'memory persisted to files, a window of 2',
  async () => new MemoryEventLog({ dir: tempDir(), memoryWindow: 2 }),
);

describe('MemoryEventLog persisted to a folder', () => {
  const event = (n: number) => newEvent({ type: 'test.happened', source: 'test', subject: `s${n % 3}`, data: { n } });
  const numbers = (events: EventEnvelope[]) => events.map((e) => (e.data as { n: number }).n);
  const collect = (log: MemoryEventLog, group: string, seen: EventEnvelope[], fromBeginning = true) =>
    log.subscribe({ group, topics: ['t'], fromBeginning, handle: async (e) => void seen.push(e) });

  it('keeps history and committed offsets across a restart, reading old events back from disk', async () => {
    const dir = tempDir();
    const first = new MemoryEventLog({ dir, memoryWindow: 3 });
    const seen: EventEnvelope[] = [];
    let fail = false;
    await first.subscribe({
      group: 'resumes',
      topics: ['t'],
      fromBeginning: true,
      handle: async (e) => {
        if (fail) throw new Error('not now');
        seen.push(e);
      },
    });
    await first.publish('t', [event(1), event(2), event(3)]);
    await waitFor('three events', () => seen.length === 3);
    fail = true;
    await first.publish('t', [event(4), event(5)]);
    await first.close();

    const second = new MemoryEventLog({ dir, memoryWindow: 3 });
    const resumed: EventEnvelope[] = [];
    await collect(second, 'resumes', resumed);
    await waitFor('the two left', () => resumed.length === 2);
    expect(numbers(resumed)).toEqual([4, 5]);
    const replayed: EventEnvelope[] = [];
    await collect(second, 'replays', replayed);
    await waitFor('the whole history', () => replayed.length === 5);
    expect(numbers(replayed)).toEqual([1, 2, 3, 4, 5]);
    expect(replayed[0]).toEqual(seen[0]);
    expect(second.eventsInMemory('t')).toBe(3);
    await second.close();
  });

  it('replays a long history in order with a small window, and counts the backlog', async () => {
    const dir = tempDir();
    const log = new MemoryEventLog({ dir, memoryWindow: 10 });
    await log.publish(
      't',
      Array.from({ length: 1_234 }, (_, i) => event(i)),
    );
    expect(log.eventsInMemory('t')).toBe(10);
    expect(await log.backlog('late', ['t'])).toBe(1_234);
    const seen: EventEnvelope[] = [];
    await collect(log, 'late', seen);
    await waitFor('every event', () => seen.length === 1_234);
    expect(numbers(seen)).toEqual(Array.from({ length: 1_234 }, (_, i) => i));
    await waitFor('no backlog', async () => (await log.backlog('late', ['t'])) === 0);
    await log.close();
  });

  it('drops a line a crash cut short, and appends after it', async () => {
    const dir = tempDir();
    const log = new MemoryEventLog({ dir });
    await log.publish('t', [event(1)]);
    await log.close();
    appendFileSync(join(dir, 't.jsonl'), '{"id":"half');
    const reopened = new MemoryEventLog({ dir });
    await reopened.publish('t', [event(2)]);
    const seen: EventEnvelope[] = [];
    await collect(reopened, 'reader', seen);
    await waitFor('both events', () => seen.length === 2);
    expect(numbers(seen)).toEqual([1, 2]);
    await reopened.close();
  });
});

describe('MemoryEventLog without a folder', () => {
  it('keeps memory bounded: consumed events beyond the window are dropped, unconsumed ones kept', async () => {
    const log = new MemoryEventLog({ memoryWindow: 100 });
    const event = (n: number) => newEvent({ type: 'test.happened', source: 'test', subject: 's', data: { n } });
    let open = false;
    const seen: number[] = [];
    const consumer = await log.subscribe({
      group: 'slow',
      topics: ['t'],
      fromBeginning: true,
      handle: async (e) => {
        if (!open) throw new Error('not yet');
        seen.push((e.data as { n: number }).n);
      },
    });
    await log.publish(
      't',
      Array.from({ length: 500 }, (_, i) => event(i)),
    );
    // The running group has read nothing yet: all 500 wait for it.
    expect(log.eventsInMemory('t')).toBe(500);
    open = true;
    await waitFor('every event', () => seen.length === 500, 20_000);
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i));
    await log.publish('t', [event(500)]);
    await waitFor('the last one', () => seen.length === 501);
    expect(log.eventsInMemory('t')).toBeLessThanOrEqual(100);
    await consumer.stop();
    await log.publish(
      't',
      Array.from({ length: 1_000 }, (_, i) => event(501 + i)),
    );
    expect(log.eventsInMemory('t')).toBe(100);
    await log.close();
  });
});
