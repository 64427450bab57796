import type { Channel } from 'amqplib';
import { AmqpClient } from '../amqp';
import type { Logger } from '../log';
import type { Notice, Notices, NoticeSubscription } from './port';

const EXCHANGE = 'realtime';

/**
 * Notices of distributed mode: RabbitMQ's `realtime` topic exchange. Each subscriber has
 * its own exclusive, auto-deleted queue bound with its pattern, so every subscriber (every
 * gateway replica) gets every matching notice, and nothing is kept once it is gone.
 */
export class RabbitNotices implements Notices {
  private exchangeReady?: Promise<void>;
  private readonly subscriptions = new Set<Subscription>();

  private constructor(private readonly client: AmqpClient) {
    client.connection.on('connect', () => (this.exchangeReady = undefined));
  }

  static async open(url: string, log: Logger): Promise<RabbitNotices> {
    return new RabbitNotices(await AmqpClient.open(url, log.child({ component: 'rabbitmq-notices' })));
  }

  async publish<D>(routingKey: string, data: D): Promise<void> {
    await this.declareExchange();
    await this.client.publish(EXCHANGE, routingKey, data);
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

/** One subscriber: a channel with its own queue; subscribed again after a reconnect. */
class Subscription {
  private channel?: Channel;
  private stopped = false;

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
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, EXCHANGE, this.pattern);
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        const routingKey = message.fields.routingKey;
        // A failing subscriber (or a notice that is not JSON) must not take the channel down.
        Promise.resolve()
          .then(() => this.handle({ routingKey, data: JSON.parse(message.content.toString()) }))
          .catch((err: unknown) => this.client.log.warn({ err, routingKey }, 'notice handler failed'));
      },
      { noAck: true },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Closing the channel cancels its consumer, and the auto-delete queue goes with it.
    await this.channel?.close().catch(() => undefined);
  }

  private restart(): void {
    this.client.log.warn({ pattern: this.pattern }, 'notice channel closed; subscribing again');
    this.start().catch((err: unknown) => {
      this.client.log.warn({ err, pattern: this.pattern }, 'could not subscribe again yet; retrying');
      if (!this.stopped) setTimeout(() => this.restart(), 1_000).unref();
    });
  }
}
