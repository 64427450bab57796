import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { postgresPlace, sleep, waitFor, describeWithService } from '../src/testing';
import { KafkaEventLog } from '../src/events/kafka';
import { newEvent, type EventEnvelope } from '../src/events/port';
import { createLogger } from '../src/log';
import { consumeOnce, Outbox, outboxMigrations } from '../src/outbox';
import { REPO_ROOT } from '../src/paths';

class Panels1700000000004 implements MigrationInterface {
  name = 'Panels1700000000004';
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE panels (id uuid PRIMARY KEY, name text NOT NULL)`);
    await q.query(`CREATE TABLE panel_replica (id uuid PRIMARY KEY, event_id uuid NOT NULL)`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE panel_replica`);
    await q.query(`DROP TABLE panels`);
  }
}

/** `bash scripts/devstack up|down|status kafka`: the real broker process stops and starts again. */
const devstack = async (command: 'up' | 'down' | 'status') =>
  (await promisify(execFile)('bash', [join(REPO_ROOT, 'scripts/devstack'), command, 'kafka'], { timeout: 180_000 }))
    .stdout;

const count = async (db: DataSource, table: string) =>
  ((await db.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[])[0]!.n;

describeWithService(['DATABASE_URL', 'KAFKA_BROKERS'], 'Kafka broker outage', (url, brokers) => {
  const log = createLogger('outage-test');
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await devstack('up'); // whatever happened, leave the broker running
  });

  it('loses no event written through the outbox while the broker is down, and applies each once', async () => {
    const here = postgresPlace(url, 'outage-test');
    const db = await here.open([...outboxMigrations, Panels1700000000004]);
    const topic = `outage.${randomUUID()}`;
    const producer = new KafkaEventLog({ brokers: brokers.split(','), clientId: 'outage-producer', log });
    const consumer = new KafkaEventLog({ brokers: brokers.split(','), clientId: 'outage-consumer', log });
    const outbox = new Outbox(db, producer, log, { intervalMs: 50, maxBackoffMs: 1_000 });
    try {
      outbox.start();
      let deliveries = 0;
      let applied = 0;
      const subscription = await consumer.subscribe({
        group: `outage-${randomUUID()}`,
        topics: [topic],
        fromBeginning: true,
        handle: async (event: EventEnvelope) => {
          deliveries += 1;
          const data = event.data as { id: string };
          const first = await consumeOnce(db, 'outage-test', event, async (tx) => {
            await tx.query(`INSERT INTO panel_replica (id, event_id) VALUES ($1, $2)`, [data.id, event.id]);
          });
          if (first) applied += 1;
        },
      });

      // A steady writer, as users creating panels; it must never fail, outage or not.
      const sent: string[] = [];
      const failures: unknown[] = [];
      let writing = true;
      const writer = (async () => {
        while (writing) {
          const id = randomUUID();
          await outbox
            .transaction(async (tx, emit) => {
              await tx.query(`INSERT INTO panels (id, name) VALUES ($1, $2)`, [id, `panel ${sent.length}`]);
              emit(topic, newEvent({ type: 'panel.created', source: 'outage-test', subject: id, data: { id } }));
            })
            .then(
              () => void sent.push(id),
              (error: unknown) => void failures.push(error),
            );
          await sleep(50);
        }
      })();

      await waitFor('events flowing before the outage', async () => (await count(db, 'panel_replica')) >= 5, 60_000);
      await devstack('down');
      if (!/^kafka\s+stopped/m.test(await devstack('status'))) {
        throw new Error('this test stops Kafka with scripts/devstack: KAFKA_BROKERS must be the devstack broker');
      }
      const sentBeforeOutage = sent.length;
      await sleep(5_000); // writes go on while the broker is away
      const writtenDuringOutage = sent.length - sentBeforeOutage;
      const pendingDuringOutage = await count(db, 'outbox');
      await devstack('up');
      const brokerBackAt = Date.now();
      await sleep(2_000);
      writing = false;
      await writer;

      await waitFor('every event applied', async () => (await count(db, 'panel_replica')) >= sent.length, 150_000);
      const recoveredInMs = Date.now() - brokerBackAt;
      await outbox.flush();
      await sleep(1_000); // time for a duplicate to show up, if any would
      expect(failures).toEqual([]);
      expect(writtenDuringOutage).toBeGreaterThan(10);
      expect(pendingDuringOutage).toBeGreaterThan(0);
      const replica = (await db.query(`SELECT id FROM panel_replica`)) as { id: string }[];
      expect(replica.map((r) => r.id).sort()).toEqual([...sent].sort());
      expect(await count(db, 'panels')).toBe(sent.length);
      expect(await count(db, 'outbox')).toBe(0);
      expect(applied).toBe(sent.length);
      expect(deliveries).toBeGreaterThanOrEqual(sent.length);
      expect(unhandled).toEqual([]);
      log.info({ sent: sent.length, writtenDuringOutage, deliveries, recoveredInMs }, 'outage survived');
      await subscription.stop();
    } finally {
      await outbox.stop();
      await Promise.all([producer.close(), consumer.close()]);
      await here.drop();
    }
  }, 300_000);
});
