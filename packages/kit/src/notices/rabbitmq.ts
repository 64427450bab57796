import type { Channel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { AmqpClient } from '../amqp';
import type { Logger } from '../log';
import { context, contextFrom, ROOT_CONTEXT, traceHeaders } from '../tracing';
import type { Notice, Notices, NoticeSubscription } from './port';

const EXCHANGE = 'realtime';
/** Longest a publish waits for the broker before the notice is kept for later. */
const PUBLISH_TIMEOUT_MS = 1_000;
/** Notices kept while the broker is away (oldest dropped past this), sent once it is back. */
const PENDING_LIMIT = 1_000;
/** After a reconnect, subscribers consume from their queues again first; then the kept notices go out. */
const RESEND_DELAY_MS = 1_000;
/**
 * A subscriber's queue outlives its connection, so notices sent while it reconnects (after a
 * broker restart the publisher may be back first) wait for it; a queue nobody has consumed
 * for this long is the broker's to delete (a subscriber that died).
 */
const QUEUE_EXPIRES_MS = 60_000;
/** Bounds what a queue keeps for an absent subscriber: at most this many notices, this young. */
const QUEUE_MAX_LENGTH = 10_000;
const QUEUE_MESSAGE_TTL_MS = 60_000;

/**
 * Notices of distributed mode: RabbitMQ's `realtime` topic exchange. Each subscriber has
 * its own queue bound with its pattern, so every subscriber (every gateway replica) gets
 * every matching notice. The queue is durable and named, so a broker restart or a lost
 * connection does not lose it or its binding; it is deleted on stop(), or by the broker
 * once it has gone unused for QUEUE_EXPIRES_MS.
 */
export class RabbitNotices implements Notices {
  private exchangeReady?: Promise<void>;
  private readonly subscriptions = new Set<Subscription>();
  /** Notices that could not be sent during an outage, in order. */
  private readonly pending: { routingKey: string; data: unknown }[] = [];
  private resendTimer?: NodeJS.Timeout;

  private constructor(private readonly client: AmqpClient) {
    client.connection.on('connect', () => {
      this.exchangeReady = undefined;
      if (this.pending.length > 0) this.scheduleResend(RESEND_DELAY_MS);
    });
  }

  async health(): Promise<void> {
    await this.client.health();
  }

  static async open(url: string, log: Logger): Promise<RabbitNotices> {
    return new RabbitNotices(await AmqpClient.open(url, log.child({ component: 'rabbitmq-notices' })));
  }

  /**
   * Sends a notice. While the broker is unreachable the notice is kept in memory (bounded)
   * and sent once the connection is back, so a short outage loses none; publish resolves
   * either way, as notices are fire-and-forget.
   */
  async publish<D>(routingKey: string, data: D): Promise<void> {
    if (this.pending.length === 0) {
      try {
        await this.send(routingKey, data);
        return;
      } catch (error) {
        this.client.log.warn(
          { err: { message: (error as Error).message }, routingKey },
          'notice kept until rabbitmq is back',
        );
      }
    }
    this.keep(routingKey, data);
  }

  private async send(routingKey: string, data: unknown): Promise<void> {
    if (!this.client.connected) throw new Error('rabbitmq is unreachable');
    await Promise.race([
      this.declareExchange(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no answer from rabbitmq')), PUBLISH_TIMEOUT_MS).unref(),
      ),
    ]);
    await this.client.publishWithin(PUBLISH_TIMEOUT_MS, EXCHANGE, routingKey, data, { headers: traceHeaders() });
  }

  private keep(routingKey: string, data: unknown): void {
    this.pending.push({ routingKey, data });
    if (this.pending.length > PENDING_LIMIT) {
      this.pending.shift();
      this.client.log.warn({ limit: PENDING_LIMIT }, 'notice dropped: too many kept during the outage');
    }
    if (this.client.connected) this.scheduleResend(RESEND_DELAY_MS);
  }

  private scheduleResend(delayMs: number): void {
    if (this.resendTimer) return;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      void this.resend();
    }, delayMs);
    this.resendTimer.unref();
  }

  private async resend(): Promise<void> {
    let sent = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      try {
        await this.send(next.routingKey, next.data);
      } catch {
        if (this.client.connected) this.scheduleResend(RESEND_DELAY_MS);
        break;
      }
      this.pending.shift();
      sent += 1;
    }
    if (sent > 0) this.client.log.info({ sent }, 'kept notices sent');
  }

  async subscribe(pattern: string, handle: (notice: Notice) => Promise<void> | void): Promise<NoticeSubscription> {
    const subscription = new Subscription(this.client, pattern, handle);
    await subscription.start();
    this.subscriptions.add(subscription);
    return {
      stop: async () => {
        this.subscriptions.delete(subscription);
        await subscription.stop();
      },
    };
  }

  async close(): Promise<void> {
    clearTimeout(this.resendTimer);
    if (this.pending.length > 0 && this.client.connected) await this.resend().catch(() => undefined);
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    await this.client.close();
  }

  private declareExchange(): Promise<void> {
    this.exchangeReady ??= this.client.confirmChannel().then(
      async (channel) => void (await channel.assertExchange(EXCHANGE, 'topic', { durable: true })),
      (error: unknown) => {
        this.exchangeReady = undefined;
        throw error;
      },
    );
    return this.exchangeReady;
  }
}

/** One subscriber: a channel consuming its own queue; consuming again after a reconnect. */
class Subscription {
  private channel?: Channel;
  private stopped = false;
  readonly queue = `realtime.${randomUUID()}`;

  constructor(
    private readonly client: AmqpClient,
    private readonly pattern: string,
    private readonly handle: (notice: Notice) => Promise<void> | void,
  ) {}

  async start(): Promise<void> {
    const channel = await this.client.channel();
    this.channel = channel;
    channel.on('close', () => {
      if (!this.stopped && channel === this.channel) this.restart();
    });
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    await channel.assertQueue(this.queue, {
      durable: true,
      expires: QUEUE_EXPIRES_MS,
      maxLength: QUEUE_MAX_LENGTH,
      messageTtl: QUEUE_MESSAGE_TTL_MS,
      arguments: { 'x-overflow': 'drop-head' },
    });
    await channel.bindQueue(this.queue, EXCHANGE, this.pattern);
    await channel.consume(
      this.queue,
      (message) => {
        if (!message) return;
        const routingKey = message.fields.routingKey;
        // A failing subscriber (or a notice that is not JSON) must not take the channel down.
        const parent = contextFrom(message.properties.headers as Record<string, unknown>, ROOT_CONTEXT);
        Promise.resolve()
          .then(() =>
            context.with(parent, () => this.handle({ routingKey, data: JSON.parse(message.content.toString()) })),
          )
          .catch((err: unknown) => this.client.log.warn({ err, routingKey }, 'notice handler failed'));
      },
      { noAck: true },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.channel) return;
    await this.channel.deleteQueue(this.queue).catch(() => undefined);
    await this.channel.close().catch(() => undefined);
  }

  private restart(): void {
    this.client.log.warn({ pattern: this.pattern }, 'notice channel closed; subscribing again');
    this.start().catch((err: unknown) => {
      this.client.log.warn({ err, pattern: this.pattern }, 'could not subscribe again yet; retrying');
      if (!this.stopped) setTimeout(() => this.restart(), 1_000).unref();
    });
  }
}
