import { connect, type Channel, type ConfirmChannel, type Options, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from './log';

/**
 * One RabbitMQ connection shared by an adapter: it reconnects by itself after a broker
 * restart (amqplib's recovery), and publishes through a confirm channel, so a publish
 * resolves only once the broker has taken the message.
 */
export class AmqpClient {
  private publisher?: Promise<ConfirmChannel>;

  private constructor(
    readonly connection: RecoveringChannelModel,
    readonly log: Logger,
  ) {}

  static async open(url: string, log: Logger): Promise<AmqpClient> {
    const connection = await connect(url, {
      recovery: { initialDelay: 200, maxDelay: 5_000, initialMaxRetries: 5 },
    });
    const client = new AmqpClient(connection, log);
    connection.on('disconnect', (err: Error) => log.warn({ err }, 'rabbitmq connection lost; reconnecting'));
    connection.on('connect', () => log.info('rabbitmq connected'));
    connection.on('error', (err: Error) => log.warn({ err }, 'rabbitmq connection error'));
    return client;
  }

  /** A channel for consuming; `error` is logged (a channel closes after one), never thrown. */
  async channel(): Promise<Channel> {
    const channel = await this.connection.createChannel();
    channel.on('error', (err: Error) => this.log.warn({ err }, 'rabbitmq channel error'));
    return channel;
  }

  async publish(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const channel = await this.confirmChannel();
    const content = Buffer.from(JSON.stringify(body));
    await new Promise<void>((resolve, reject) => {
      channel.publish(exchange, routingKey, content, { contentType: 'application/json', ...options }, (err: unknown) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      );
    });
  }

  /** The publishing channel, also used to declare topology; replaced after it closes. */
  confirmChannel(): Promise<ConfirmChannel> {
    this.publisher ??= this.connection.createConfirmChannel().then(
      (channel) => {
        channel.on('error', (err: Error) => this.log.warn({ err }, 'rabbitmq channel error'));
        channel.on('close', () => (this.publisher = undefined));
        return channel;
      },
      (error: unknown) => {
        this.publisher = undefined;
        throw error;
      },
    );
    return this.publisher;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
