import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer as KafkaConsumer,
  type EachMessagePayload,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Checkable } from '../health';
import { kafkaTopicConfig } from '@agora/contracts/events';
import type { Logger } from '../log';
import { metrics } from '../metrics';
import { sleep } from '../time';
import { contextFrom, inSpan, ROOT_CONTEXT, SpanKind, traceHeaders } from '../tracing';
import type { Consumer, ConsumerOptions, EventEnvelope, EventLog } from './port';

export interface KafkaEventLogOptions {
  brokers: string[];
  /** Names this process to the brokers (the service name). */
  clientId: string;
  log: Logger;
  /** Partitions of a topic this adapter creates (default 3). */
  partitions?: number;
  /** Replicas of a topic this adapter creates (default: the broker's default.replication.factor). */
  replicationFactor?: number;
  /** Settings of a topic this adapter creates (default: the catalogue's retention, `kafkaTopicConfig`). */
  topicConfig?: (topic: string) => Record<string, string>;
}

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 5_000;
/** Longest a fetch waits for new records: bounds idle polling and how long `subscribe` takes. */
const MAX_WAIT_MS = 1_000;
/**
 * A member silent this long leaves its group (6 s: the broker's default minimum). After a
 * broker outage a consumer that kafkajs restarted joins as a new member while the group
 * still lists its old self: the rebalance waits up to REBALANCE_TIMEOUT_MS for the old member
 * before dropping it, so consumption resumes within a few seconds of the broker's return.
 */
const SESSION_TIMEOUT_MS = 6_000;
/** How long a rebalance waits for members to rejoin (kafkajs's default is a minute). */
const REBALANCE_TIMEOUT_MS = 3_000;
const JOIN_TIMEOUT_MS = 60_000;
/**
 * A consumer retries a failed fetch, heartbeat or join at most a second apart, for ten
 * minutes before kafkajs gives up on it: through a broker outage it keeps its group member
 * id, which the restarted broker still knows (group state lives in __consumer_offsets), so
 * it is consuming again about a second after the broker's return. A consumer that crashed
 * instead would rejoin as a new member, and the group would wait a session timeout for the
 * old one first.
 */
const CONSUMER_RETRY = { initialRetryTime: 100, maxRetryTime: 1_000, retries: 600 };
/** /readyz asks the brokers at most this often. */
const HEALTH_CACHE_MS = 2_000;

/**
 * The event log of distributed mode: Kafka through kafkajs. Topics are created on first use
 * with several partitions; events are keyed by `subject`, so order holds per entity. Each
 * subscription is one consumer in its group: it handles the records of a partition one at a
 * time and commits a record's offset only after `handle` resolved. A failed record is
 * fetched again after a backoff, and the later records of its partition wait for it.
 */
export class KafkaEventLog implements EventLog, Checkable {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private producerReady?: Promise<void>;
  private adminReady?: Promise<void>;
  private readonly topics = new Map<string, Promise<void>>();
  private readonly members = new Set<Member>();
  private readonly log: Logger;
  private probe?: { at: number; result: Promise<void> };

  constructor(private readonly options: KafkaEventLogOptions) {
    this.log = options.log.child({ component: 'kafka' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: pinoLogCreator(this.log),
      // Connection retries at most a second apart (kafkajs's default grows to 30 s): a
      // consumer that kafkajs restarts after an outage waits this long, not half a minute.
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 8 },
    });
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      // One request at a time: a retried request can't overtake the next, so order holds.
      maxInFlightRequests: 1,
      // The outbox retries on its own; give up a send soon while the brokers are away.
      retry: { initialRetryTime: 200, retries: 3 },
    });
    this.admin = this.kafka.admin();
  }

  async publish(topic: string, events: EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    await this.ensureTopics([topic]);
    this.producerReady ??= this.producer.connect().catch((error: unknown) => {
      this.producerReady = undefined;
      throw error;
    });
    await this.producerReady;
    // A producer span in the writer's trace; its context travels in each record's headers.
    await inSpan(
      `${topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': events.length },
      },
      async () => {
        const trace = traceHeaders();
        await this.producer.send({
          topic,
          acks: -1,
          messages: events.map((event) => ({
            key: event.subject,
            value: JSON.stringify(event),
            headers: { 'event-type': event.type, ...trace },
          })),
        });
      },
    );
  }

  /** Whether the brokers answer (one metadata request, shared by callers for a moment). */
  health(): Promise<void> {
    if (!this.probe || Date.now() - this.probe.at > HEALTH_CACHE_MS) {
      const result = this.connectedAdmin().then(async () => void (await this.admin.describeCluster()));
      result.catch(() => undefined);
      this.probe = { at: Date.now(), result };
    }
    return this.probe.result;
  }

  async subscribe(options: ConsumerOptions): Promise<Consumer> {
    await this.ensureTopics(options.topics);
    const { brokers } = await this.connectedAdmin().then(() => this.admin.describeCluster());
    const member = new Member(this.kafka, options, brokers.length, this.log);
    // A topic another process has just created may not have its leaders yet: a retriable
    // error ("does not host this topic-partition") is retried, briefly, not a failed start.
    for (let attempt = 1; ; attempt++) {
      try {
        await member.start();
        break;
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt >= 8) throw error;
        this.log.debug({ err: error, attempt }, 'kafka consumer could not start yet; retrying');
        await sleep(Math.min(200 * 2 ** (attempt - 1), 2_000));
      }
    }
    this.members.add(member);
    if (!options.fromBeginning) await this.pinStart(member, options);
    return {
      stop: async () => {
        this.members.delete(member);
        await member.stop();
      },
    };
  }

  async backlog(group: string, topics: string[]): Promise<number> {
    await this.ensureTopics(topics);
    await this.connectedAdmin();
    const committed = await this.admin.fetchOffsets({ groupId: group, topics });
    let total = 0;
    for (const topic of topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const { partition, high, low } of ends) {
        const offset = Number(done.find((p) => p.partition === partition)?.offset ?? -1);
        total += Number(high) - (offset >= 0 ? Math.max(offset, Number(low)) : Number(low));
      }
    }
    return total;
  }

  async close(): Promise<void> {
    await Promise.all([...this.members].map((m) => m.stop()));
    this.members.clear();
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
  }

  /**
   * A group that starts "from the latest" resolves `latest` again for every partition it has
   * not committed yet, each time a consumer (re)joins: after a restart or a broker outage it
   * would skip what was published meanwhile on partitions it had not read from. So on its
   * first subscription the group commits where it starts, on every partition.
   */
  private async pinStart(member: Member, options: ConsumerOptions): Promise<void> {
    try {
      await this.connectedAdmin();
      const committed = await this.admin.fetchOffsets({ groupId: options.group, topics: options.topics });
      const fresh: { topic: string; partition: number; offset: string }[] = [];
      for (const { topic, partitions } of committed) {
        const unset = partitions.filter((p) => Number(p.offset) < 0).map((p) => p.partition);
        if (unset.length === 0) continue;
        const ends = await this.admin.fetchTopicOffsets(topic);
        for (const end of ends)
          if (unset.includes(end.partition)) fresh.push({ topic, partition: end.partition, offset: end.high });
      }
      if (fresh.length > 0) await member.commit(fresh);
    } catch (error) {
      this.log.warn({ err: error, group: options.group }, 'could not record where a new consumer group starts');
    }
  }

  private connectedAdmin(): Promise<void> {
    this.adminReady ??= this.admin.connect().catch((error: unknown) => {
      this.adminReady = undefined;
      throw error;
    });
    return this.adminReady;
  }

  /** Creates missing topics (once per process per topic); an existing topic is left as is. */
  private async ensureTopics(topics: string[]): Promise<void> {
    const missing = topics.filter((t) => !this.topics.has(t));
    if (missing.length > 0) {
      const creating = this.connectedAdmin().then(() => this.createTopics(missing));
      for (const topic of missing) {
        this.topics.set(
          topic,
          creating.catch((error: unknown) => {
            this.topics.delete(topic);
            throw error;
          }),
        );
      }
    }
    await Promise.all(topics.map((t) => this.topics.get(t)));
  }

  /**
   * createTopics, waiting for the leaders. While another process creates the same topics, or
   * on a broker that has just started, the metadata can answer "does not host this
   * topic-partition" for a moment: a retriable error, retried (about 15 s in all) rather than
   * failing the service's start.
   */
  private async createTopics(missing: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.options.partitions ?? 3,
            replicationFactor: this.options.replicationFactor ?? -1,
            configEntries: Object.entries((this.options.topicConfig ?? kafkaTopicConfig)(topic)).map(
              ([name, value]) => ({
                name,
                value,
              }),
            ),
          })),
        });
        return;
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt >= 10) throw error;
        this.log.debug({ err: error, attempt }, 'kafka topics not ready yet; retrying');
        await sleep(Math.min(200 * 2 ** (attempt - 1), 2_000));
      }
    }
  }
}

/** One subscription: a kafkajs consumer, replaced by a new one if kafkajs gives up on it. */
class Member {
  private consumer?: KafkaConsumer;
  private stopped = false;
  private restarts = 0;
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: Logger;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerOptions,
    private readonly brokerCount: number,
    log: Logger,
  ) {
    this.log = log.child({ group: options.group });
  }

  /**
   * Resolves once the consumer has joined its group, got its partitions and resolved where
   * it starts reading (one fetch from every broker): an event published after this is seen.
   */
  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.group,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: MAX_WAIT_MS,
      sessionTimeout: SESSION_TIMEOUT_MS,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      heartbeatInterval: 1_000,
      retry: CONSUMER_RETRY,
    });
    this.consumer = consumer;
    let started = false;
    let failStart!: (error: Error) => void;
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      failStart = reject;
      timer = setTimeout(() => reject(new Error(`consumer of ${this.options.group} did not join`)), JOIN_TIMEOUT_MS);
      let fetchedFrom: Set<number> | undefined;
      consumer.on(consumer.events.GROUP_JOIN, () => void (fetchedFrom = new Set()));
      consumer.on(consumer.events.FETCH, ({ payload }) => {
        fetchedFrom?.add(payload.nodeId);
        if (fetchedFrom && fetchedFrom.size >= this.brokerCount) resolve();
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (started) this.crashed(consumer, payload.error, payload.restart);
      else if (!payload.restart) failStart(payload.error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 3,
        eachMessage: (payload) => this.handle(consumer, payload),
      });
      await ready;
      started = true;
    } catch (error) {
      ready.catch(() => undefined);
      await consumer.disconnect().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  commit(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    if (!this.consumer) throw new Error('consumer not started');
    return this.consumer.commitOffsets(offsets);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async handle(consumer: KafkaConsumer, { topic, partition, message }: EachMessagePayload): Promise<void> {
    const key = `${topic}/${partition}`;
    try {
      const event = parse(message.value);
      if (event) {
        // A consumer span in the trace of the request that wrote the event (its record headers).
        await inSpan(
          `${topic} process`,
          {
            kind: SpanKind.CONSUMER,
            parent: contextFrom(message.headers, ROOT_CONTEXT),
            attributes: {
              'messaging.system': 'kafka',
              'messaging.consumer.group.name': this.options.group,
              'event.type': event.type,
            },
          },
          () => this.options.handle(event, topic),
        );
        const group = this.options.group.startsWith('gateway-') ? 'gateway' : this.options.group;
        metrics.eventsConsumed.inc({ group, topic, outcome: 'ok' });
        const age = (Date.now() - Date.parse(event.occurredAt)) / 1000;
        if (Number.isFinite(age)) metrics.consumerLag.observe({ group, topic }, Math.max(0, age));
      } else this.log.error({ topic, partition, offset: message.offset }, 'skipping a record that is not an event');
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      this.attempts.delete(key);
    } catch (error) {
      // Not committed: read the partition again from this record once the backoff is over.
      const group = this.options.group.startsWith('gateway-') ? 'gateway' : this.options.group;
      metrics.eventsConsumed.inc({ group, topic, outcome: 'failed' });
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      if (attempt === 1 || attempt % 20 === 0) {
        this.log.warn(
          { err: error, topic, partition, offset: message.offset, attempt },
          'event handler failed; will retry',
        );
      }
      consumer.pause([{ topic, partitions: [partition] }]);
      consumer.seek({ topic, partition, offset: message.offset });
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          // A consumer replaced meanwhile starts from the committed offset anyway.
          if (!this.stopped && consumer === this.consumer) consumer.resume([{ topic, partitions: [partition] }]);
        },
        Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS),
      );
      this.timers.add(timer);
    }
  }

  /**
   * kafkajs restarts a crashed consumer by itself after a retriable error (a broker away);
   * after any other it stops for good, so this member starts a fresh consumer, with backoff.
   */
  private crashed(consumer: KafkaConsumer, error: Error, restartingItself: boolean): void {
    if (this.stopped || consumer !== this.consumer) return;
    if (restartingItself) {
      this.log.warn({ err: error }, 'kafka consumer crashed; kafkajs restarts it');
      return;
    }
    this.log.error({ err: error }, 'kafka consumer stopped; starting a new one');
    this.restartLater();
  }

  private restartLater(): void {
    this.restarts += 1;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (this.stopped) return;
        this.start().then(
          () => void (this.restarts = 0),
          (error: unknown) => {
            if (this.stopped) return;
            this.log.warn({ err: error, restarts: this.restarts }, 'kafka consumer could not start; will retry');
            this.restartLater();
          },
        );
      },
      Math.min(RETRY_BASE_MS * 2 ** this.restarts, RETRY_MAX_MS * 2),
    );
    this.timers.add(timer);
  }
}

function parse(value: Buffer | null): EventEnvelope | undefined {
  if (!value) return undefined;
  try {
    const event = JSON.parse(value.toString()) as EventEnvelope;
    return typeof event === 'object' && event !== null && typeof event.id === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}

/** kafkajs namespaces that log every failed request or connect attempt of a retry loop. */
const RETRY_NOISE = new Set(['Connection', 'BrokerPool']);

/**
 * kafkajs logs (WARN and up) into the service's pino logger, quietly: it retries by itself,
 * so its errors are warnings, and the per-attempt failures inside its retry loops (reported
 * again by the layers above when they give up) are debug.
 */
function pinoLogCreator(log: Logger) {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = entry;
      const fields = { namespace, ...extra };
      if (!RETRY_NOISE.has(namespace) && (level === logLevel.ERROR || level === logLevel.WARN))
        log.warn(fields, message);
      else log.debug(fields, message);
    };
}
