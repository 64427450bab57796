import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { pglitePlace, postgresPlace, type SqlPlace, FlakyEventLog, describeWithService, waitFor } from '../src/testing';
import { MemoryEventLog } from '../src/events/memory';
import { newEvent, type EventEnvelope, type EventLog } from '../src/events/port';
import { createLogger } from '../src/log';
import { consumeOnce, Outbox, outboxMigrations } from '../src/outbox';

class Things1700000000002 implements MigrationInterface {
  name = 'Things1700000000002';
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE things (id text PRIMARY KEY)`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE things`);
  }
}

const MIGRATIONS = [...outboxMigrations, Things1700000000002];
const thingAdded = (id: string) => newEvent({ type: 'thing.added', source: 'test', subject: id, data: { id } });

function collect(log: EventLog, topic: string) {
  const seen: EventEnvelope[] = [];
  void log.subscribe({ group: 'test', topics: [topic], fromBeginning: true, handle: async (e) => void seen.push(e) });
  return seen;
}

/** The outbox on each SQL adapter: the relay's lock and queries are plain PostgreSQL. */
function outboxSuite(adapter: string, place: () => SqlPlace) {
  describe(`outbox on ${adapter}`, () => {
    let here: SqlPlace;
    let db: DataSource;
    beforeEach(async () => {
      here = place();
      db = await here.open(MIGRATIONS);
    });
    afterEach(() => here.drop());

    it('publishes events of committed transactions only, in order', async () => {
      const log = new MemoryEventLog();
      const outbox = new Outbox(db, log, createLogger('test'), { intervalMs: 20 });
      outbox.start();
      const seen = collect(log, 'things');
      for (const id of ['a', 'b', 'c']) {
        await outbox.transaction(async (tx, emit) => {
          await tx.query(`INSERT INTO things VALUES ($1)`, [id]);
          emit('things', thingAdded(id));
        });
      }
      const failed = await outbox
        .transaction(async (tx, emit) => {
          emit('things', thingAdded('x'));
          await tx.query(`INSERT INTO things VALUES ('a')`); // duplicate: the transaction fails
        })
        .catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(Error);
      await waitFor('three events', () => seen.length >= 3);
      await outbox.flush();
      expect(seen.map((e) => e.subject)).toEqual(['a', 'b', 'c']);
      expect(await db.query(`SELECT count(*)::int AS n FROM outbox`)).toEqual([{ n: 0 }]);
      await outbox.stop();
    });

    it('keeps events through an event-log outage and publishes them all after recovery', async () => {
      const log = new FlakyEventLog();
      const outbox = new Outbox(db, log, createLogger('test'), { intervalMs: 20, maxBackoffMs: 50 });
      outbox.start();
      const seen = collect(log, 'things');
      log.down = true;
      for (let i = 0; i < 10; i++) {
        await outbox.transaction(async (tx, emit) => {
          await tx.query(`INSERT INTO things VALUES ($1)`, [`t${i}`]);
          emit('things', thingAdded(`t${i}`));
        });
      }
      expect(seen).toHaveLength(0);
      expect(await db.query(`SELECT count(*)::int AS n FROM things`)).toEqual([{ n: 10 }]);
      log.down = false;
      await waitFor('all ten after recovery', () => seen.length >= 10);
      expect(seen.map((e) => e.subject)).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`));
      await outbox.stop();
    });

    it('consumeOnce applies a redelivered event only once, and not at all if the handler fails', async () => {
      const event = thingAdded('once');
      const apply = () => consumeOnce(db, 'test', event, (tx) => tx.query(`INSERT INTO things VALUES ('once')`));
      expect(await apply()).toBe(true);
      expect(await apply()).toBe(false);
      const failing = thingAdded('fails');
      await expect(
        consumeOnce(db, 'test', failing, async () => {
          throw new Error('handler failed');
        }),
      ).rejects.toThrow('handler failed');
      expect(await consumeOnce(db, 'test', failing, (tx) => tx.query(`INSERT INTO things VALUES ('fails')`))).toBe(
        true,
      );
      expect(await db.query(`SELECT id FROM things ORDER BY id`)).toEqual([{ id: 'fails' }, { id: 'once' }]);
    });
  });
}

outboxSuite('pglite', () => pglitePlace({ reopenable: false }));

describeWithService('DATABASE_URL', 'PostgreSQL', (url) => {
  outboxSuite('postgres', () => postgresPlace(url));

  it('lets replicas relay together: each event goes out once, in commit order', async () => {
    const here = postgresPlace(url);
    try {
      const a = await here.open(MIGRATIONS);
      const b = await here.open(MIGRATIONS);
      const log = new MemoryEventLog();
      const seen = collect(log, 'things');
      const relays = [a, b].map((db) => new Outbox(db, log, createLogger('test'), { intervalMs: 10 }));
      for (const relay of relays) relay.start();
      for (let i = 0; i < 20; i++) {
        await relays[i % 2]!.transaction(async (tx, emit) => {
          await tx.query(`INSERT INTO things VALUES ($1)`, [`r${i}`]);
          emit('things', thingAdded(`r${i}`));
        });
      }
      await waitFor('twenty events', () => seen.length >= 20);
      await Promise.all(relays.map((r) => r.flush()));
      expect(seen.map((e) => e.subject)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
      await Promise.all(relays.map((r) => r.stop()));
    } finally {
      await here.drop();
    }
  });
});
