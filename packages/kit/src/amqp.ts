import { connect, type Channel, type ConfirmChannel, type Options, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from './log';

/**
 * One RabbitMQ connection shared by an adapter: it reconnects by itself after a broker
 * restart (amqplib's recovery), and publishes through a confirm channel, so a publish
 * resolves only once the broker has taken the message.
 */
export class AmqpClient {
  private publisher?: Promise<ConfirmChannel>;
  /** False between a lost connection and its recovery: publishing then fails at once. */
  connected = true;

  private constructor(
    readonly connection: RecoveringChannelModel,
    readonly log: Logger,
  ) {}

  static async open(url: string, log: Logger): Promise<AmqpClient> {
    const connection = await connect(url, {
      // Reconnect attempts at most 1 s apart, so work resumes within a second of the broker's return.
      recovery: { initialDelay: 200, maxDelay: 1_000, initialMaxRetries: 5 },
    });
    const client = new AmqpClient(connection, log);
    connection.on('disconnect', (err: Error) => {
      if (client.connected) log.warn({ err: { message: err?.message } }, 'rabbitmq connection lost; reconnecting');
      client.connected = false;
    });
    connection.on('connect', () => {
      if (!client.connected) log.info('rabbitmq connected again');
      client.connected = true;
    });
    connection.on('error', (err: Error) => log.debug({ err: { message: err?.message } }, 'rabbitmq connection error'));
    return client;
  }

  async health(): Promise<void> {
    if (!this.connected) throw new Error('rabbitmq disconnected');
  }

  /**
   * `publish` bounded in time: refused at once while disconnected, and failed after
   * `timeoutMs` without the broker's confirm (the message may still arrive: consumers are
   * idempotent).
   */
  async publishWithin(
    timeoutMs: number,
    exchange: string,
    routingKey: string,
    body: unknown,
    options: Options.Publish = {},
  ): Promise<void> {
    if (!this.connected) throw new Error('rabbitmq is unreachable');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.publish(exchange, routingKey, body, options),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`rabbitmq did not confirm within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
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
