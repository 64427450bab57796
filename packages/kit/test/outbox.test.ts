import type { MigrationInterface, QueryRunner } from 'typeorm';
import { openDatabase } from '../src/db/datasource';
import { MemoryEventLog } from '../src/events/memory';
import { newEvent, type EventEnvelope, type EventLog } from '../src/events/port';
import { createLogger } from '../src/log';
import { consumeOnce, Outbox, outboxMigrations } from '../src/outbox';
import { waitFor } from '../src/testing';

class Things1700000000002 implements MigrationInterface {
  name = 'Things1700000000002';
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE things (id text PRIMARY KEY)`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE things`);
  }
}

const open = () =>
  openDatabase({ service: 'outbox-test', entities: [], migrations: [...outboxMigrations, Things1700000000002] });
const thingAdded = (id: string) => newEvent({ type: 'thing.added', source: 'test', subject: id, data: { id } });

/** An event log that can be switched off, as a broker outage. */
class FlakyLog extends MemoryEventLog {
  down = false;
  override publish(topic: string, events: EventEnvelope[]) {
    return this.down ? Promise.reject(new Error('broker unreachable')) : super.publish(topic, events);
  }
}

function collect(log: EventLog, topic: string) {
  const seen: EventEnvelope[] = [];
  void log.subscribe({ group: 'test', topics: [topic], fromBeginning: true, handle: async (e) => void seen.push(e) });
  return seen;
}

describe('outbox', () => {
  it('publishes events of committed transactions only, in order', async () => {
    const db = await open();
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
    await db.destroy();
  });

  it('keeps events through an event-log outage and publishes them all after recovery', async () => {
    const db = await open();
    const log = new FlakyLog();
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
    await db.destroy();
  });

  it('consumeOnce applies a redelivered event only once, and not at all if the handler fails', async () => {
    const db = await open();
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
    expect(await consumeOnce(db, 'test', failing, (tx) => tx.query(`INSERT INTO things VALUES ('fails')`))).toBe(true);
    expect(await db.query(`SELECT id FROM things ORDER BY id`)).toEqual([{ id: 'fails' }, { id: 'once' }]);
    await db.destroy();
  });
});
