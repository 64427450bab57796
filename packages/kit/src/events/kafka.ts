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
import { kafkaTopicConfig } from '@agora/contracts/events';
import type { Logger } from '../log';
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
 * A member silent this long leaves its group. After a broker restart the group still lists
 * the members of before, and it waits this long for them before reassigning partitions.
 */
const SESSION_TIMEOUT_MS = 10_000;
const JOIN_TIMEOUT_MS = 60_000;

/**
 * The event log of distributed mode: Kafka through kafkajs. Topics are created on first use
 * with several partitions; events are keyed by `subject`, so order holds per entity. Each
 * subscription is one consumer in its group: it handles the records of a partition one at a
 * time and commits a record's offset only after `handle` resolved. A failed record is
 * fetched again after a backoff, and the later records of its partition wait for it.
 */
export class KafkaEventLog implements EventLog {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private producerReady?: Promise<void>;
  private adminReady?: Promise<void>;
  private readonly topics = new Map<string, Promise<void>>();
  private readonly members = new Set<Member>();
  private readonly log: Logger;

  constructor(private readonly options: KafkaEventLogOptions) {
    this.log = options.log.child({ component: 'kafka' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: pinoLogCreator(this.log),
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
    await this.producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => ({
        key: event.subject,
        value: JSON.stringify(event),
        headers: { 'event-type': event.type },
      })),
    });
  }

  async subscribe(options: ConsumerOptions): Promise<Consumer> {
    await this.ensureTopics(options.topics);
    const { brokers } = await this.connectedAdmin().then(() => this.admin.describeCluster());
    const member = new Member(this.kafka, options, brokers.length, this.log);
    await member.start();
    this.members.add(member);
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
      const creating = this.connectedAdmin().then(async () => {
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
      });
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
      heartbeatInterval: 1_000,
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
      if (event) await this.options.handle(event, topic);
      else this.log.error({ topic, partition, offset: message.offset }, 'skipping a record that is not an event');
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      this.attempts.delete(key);
    } catch (error) {
      // Not committed: read the partition again from this record once the backoff is over.
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
