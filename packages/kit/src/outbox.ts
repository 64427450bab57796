import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { EventEnvelope, EventLog } from './events/port';
import type { Logger } from './log';
import { metrics, registerReading } from './metrics';
import { context, contextFrom, ROOT_CONTEXT, traceHeaders } from './tracing';

/**
 * The transactional outbox. A service writes its state change and its events in one
 * database transaction (`outbox.transaction`); a relay publishes the stored events to the
 * event log at least once, in the order they were written, and deletes them. Consumers
 * make at-least-once delivery exactly-once in effect with `consumeOnce`.
 */
export class CreateOutbox1600000000000 implements MigrationInterface {
  name = 'CreateOutbox1600000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        seq bigserial PRIMARY KEY,
        topic text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE processed_events (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processed_events`);
    await q.query(`DROP TABLE outbox`);
  }
}

/** The trace context of the transaction that wrote an event, sent along as Kafka headers. */
export class OutboxHeaders1600000000001 implements MigrationInterface {
  name = 'OutboxHeaders1600000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN headers jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN headers`);
  }
}

/** Put first in every service's migration list that publishes or consumes events. */
export const outboxMigrations = [CreateOutbox1600000000000, OutboxHeaders1600000000001];

export type Emit = (topic: string, event: EventEnvelope) => void;

export interface OutboxOptions {
  /** Poll interval when idle; a commit through `transaction` publishes at once. */
  intervalMs?: number;
  batchSize?: number;
  /** Longest wait between retries while the event log is down. */
  maxBackoffMs?: number;
  /** Names the service in metrics (default: the database's schema). */
  service?: string;
}

/**
 * Only one relay of a service publishes at a time, so the log sees the outbox's order.
 * Advisory locks are database-wide: the second key (the schema) keeps services that share
 * a database from waiting on each other.
 */
const RELAY_LOCK = 724_101;

export class Outbox {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private failures = 0;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly maxBackoffMs: number;
  private readonly service: string;
  private unregister: (() => void)[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly events: EventLog,
    private readonly log: Logger,
    options: OutboxOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 500;
    this.batchSize = options.batchSize ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 1_000;
    this.service = options.service ?? 'unknown';
  }

  /**
   * Runs `work` in a transaction; the events it emits are stored in that same transaction
   * and published after the commit. If `work` throws, neither state nor events are kept.
   */
  async transaction<T>(work: (tx: EntityManager, emit: Emit) => Promise<T>): Promise<T> {
    const result = await this.db.transaction(async (tx) => {
      const pending: { topic: string; event: EventEnvelope }[] = [];
      const value = await work(tx, (topic, event) => void pending.push({ topic, event }));
      const trace = traceHeaders();
      const headers = Object.keys(trace).length > 0 ? JSON.stringify(trace) : null;
      for (const { topic, event } of pending) {
        await tx.query(`INSERT INTO outbox (topic, event, headers) VALUES ($1, $2, $3)`, [
          topic,
          JSON.stringify(event),
          headers,
        ]);
      }
      return value;
    });
    this.nudge();
    return result;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Read when Prometheus scrapes: what waits to be published, and for how long.
    const labels = { service: this.service };
    const backlog = async () => {
      const [row] = (await this.db.query(
        `SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS lag FROM outbox`,
      )) as { n: number; lag: number }[];
      return row ?? { n: 0, lag: 0 };
    };
    this.unregister = [
      registerReading('outboxBacklog', async () => [{ labels, value: (await backlog()).n }]),
      registerReading('outboxLag', async () => [{ labels, value: (await backlog()).lag }]),
    ];
    this.nudge();
  }

  /** Asks the relay to publish now (coalesces with a run in progress). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.relay().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      const delay = this.again ? 0 : this.failures > 0 ? this.backoff() : this.intervalMs;
      this.again = false;
      this.timer = setTimeout(() => this.nudge(), delay);
      this.timer.unref();
    });
  }

  /** Publishes everything pending now; returns how many events went out. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.publishBatch();
      total += sent;
      if (sent < this.batchSize) return total;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const unregister of this.unregister.splice(0)) unregister();
    clearTimeout(this.timer);
    await this.running;
  }

  private backoff(): number {
    return Math.min(this.intervalMs * 2 ** Math.min(this.failures, 10), this.maxBackoffMs);
  }

  private async relay(): Promise<void> {
    try {
      while ((await this.publishBatch()) === this.batchSize && !this.stopped) {
        // a full batch: there may be more
      }
      if (this.failures > 0) this.log.info('event log reachable again; outbox drained');
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.log.warn({ err: error, failures: this.failures }, 'outbox relay cannot publish; will retry');
      }
    }
  }

  private async publishBatch(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const [lock] = (await tx.query(`SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema())) AS ok`, [
        RELAY_LOCK,
      ])) as { ok: boolean }[];
      if (!lock?.ok) return 0;
      const rows = (await tx.query(`SELECT seq, topic, event, headers FROM outbox ORDER BY seq LIMIT $1`, [
        this.batchSize,
      ])) as {
        seq: number;
        topic: string;
        event: EventEnvelope | string;
        headers: Record<string, string> | string | null;
      }[];
      if (rows.length === 0) return 0;
      const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
      const traceOf = (row: (typeof rows)[number]) => JSON.stringify(json(row.headers) ?? {});
      // Consecutive events of one topic (and one trace) go out together, keeping the overall
      // order; each batch is published in the trace of the transaction that wrote it.
      let i = 0;
      while (i < rows.length) {
        const { topic } = rows[i]!;
        const trace = traceOf(rows[i]!);
        const batch: EventEnvelope[] = [];
        for (; i < rows.length && rows[i]!.topic === topic && traceOf(rows[i]!) === trace; i++) {
          batch.push(json(rows[i]!.event));
        }
        await context.with(contextFrom(JSON.parse(trace) as Record<string, string>, ROOT_CONTEXT), () =>
          this.events.publish(topic, batch),
        );
      }
      // By seq, not `seq <= last`: a transaction that took a lower seq may commit meanwhile.
      await tx.query(`DELETE FROM outbox WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      metrics.outboxPublished.inc({ service: this.service }, rows.length);
      return rows.length;
    });
  }
}

/**
 * Runs `handle` for an event at most once per consumer: the event id is recorded in the
 * same transaction as the handler's writes, so a redelivered event is skipped.
 * Returns false when the event had already been processed.
 */
export async function consumeOnce(
  db: DataSource,
  consumer: string,
  event: EventEnvelope,
  handle: (tx: EntityManager) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = (await tx.query(
      `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, event.id],
    )) as unknown[];
    if (inserted.length === 0) return false;
    await handle(tx);
    return true;
  });
}
