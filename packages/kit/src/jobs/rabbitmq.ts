import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AmqpClient } from '../amqp';
import type { Logger } from '../log';
import { metrics, registerReading } from '../metrics';
import { contextFrom, inSpan, ROOT_CONTEXT, SpanKind, traceHeaders } from '../tracing';
import {
  DEFAULT_WORKER_OPTIONS,
  type DeadLetter,
  type Job,
  type JobQueue,
  type Worker,
  type WorkerOptions,
} from './port';

const ATTEMPT_HEADER = 'x-attempt';
/** Longest `enqueue` waits for the broker: a caller (an upload) never hangs on an outage. */
export const ENQUEUE_TIMEOUT_MS = 1_000;

/** How long an idle retry queue outlives its delay before RabbitMQ removes it. */
const RETRY_QUEUE_IDLE_MS = 60_000;

/**
 * The job queue of distributed mode: RabbitMQ through amqplib. Per job queue `q`:
 * - `q`, durable, holds persistent jobs; a worker takes `concurrency` at a time (prefetch)
 *   and acks each only after it succeeded, so a job whose worker dies is delivered again;
 * - `q.retry.<ms>` holds a failed job for its backoff (a queue-wide message TTL, so jobs
 *   leave in order) and then dead-letters it back into `q`: the other jobs never wait;
 * - `q.dlq` receives a job, with its last error, once it failed `maxAttempts` times.
 */
export class RabbitJobQueue implements JobQueue {
  private readonly declared = new Set<string>();
  private readonly known = new Set<string>();
  private readonly workers = new Set<RabbitWorker>();
  private readonly unregister: () => void;

  private constructor(private readonly client: AmqpClient) {
    // Queues may be gone after a broker reset: declare them again after a reconnect.
    client.connection.on('connect', () => this.declared.clear());
    // The depth of every queue this process uses, read when Prometheus scrapes.
    this.unregister = registerReading('jobQueueDepth', async () => {
      if (!this.client.connected) return [];
      const channel = await this.client.confirmChannel();
      return Promise.all(
        [...this.known].map(async (queue) => ({
          labels: { queue },
          value: (await channel.checkQueue(queue)).messageCount,
        })),
      );
    });
  }

  static async open(url: string, log: Logger): Promise<RabbitJobQueue> {
    return new RabbitJobQueue(await AmqpClient.open(url, log.child({ component: 'rabbitmq-jobs' })));
  }

  async health(): Promise<void> {
    await this.client.health();
  }

  /** Fails within ENQUEUE_TIMEOUT_MS (at once while the broker is unreachable). */
  async enqueue<P>(queue: string, payload: P, options: { id?: string } = {}): Promise<void> {
    if (!this.client.connected) throw new Error('rabbitmq is unreachable');
    // One bound for the whole of it (declaring the queue, then the broker's confirm).
    const headers = { [ATTEMPT_HEADER]: 1, ...traceHeaders() }; // the enqueuer's trace continues in the worker
    const sending = (async () => {
      await this.declare(queue);
      await this.client.publish('', queue, payload, {
        messageId: options.id ?? randomUUID(),
        persistent: true,
        headers,
      });
    })();
    await withTimeout(sending, ENQUEUE_TIMEOUT_MS, 'enqueueing');
  }

  async work<P>(queue: string, handle: (job: Job<P>) => Promise<void>, options: WorkerOptions = {}): Promise<Worker> {
    await this.declare(queue);
    const worker = new RabbitWorker(this.client, queue, handle as (job: Job) => Promise<void>, {
      ...DEFAULT_WORKER_OPTIONS,
      ...options,
    });
    await worker.start();
    this.workers.add(worker);
    return {
      stop: async () => {
        this.workers.delete(worker);
        await worker.stop();
      },
    };
  }

  async takeDeadLetters(queue: string): Promise<DeadLetter[]> {
    await this.declare(queue);
    const channel = await this.client.channel();
    try {
      const letters: DeadLetter[] = [];
      for (;;) {
        const message = await channel.get(deadLetterQueue(queue));
        if (!message) return letters;
        letters.push(JSON.parse(message.content.toString()) as DeadLetter);
        channel.ack(message);
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.unregister();
    await Promise.all([...this.workers].map((w) => w.stop()));
    this.workers.clear();
    await this.client.close();
  }

  private async declare(queue: string): Promise<void> {
    if (this.declared.has(queue)) return;
    const channel = await this.client.confirmChannel();
    await channel.assertQueue(queue, { durable: true });
    await channel.assertQueue(deadLetterQueue(queue), { durable: true });
    this.declared.add(queue);
    this.known.add(queue);
  }
}

const deadLetterQueue = (queue: string) => `${queue}.dlq`;

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer from rabbitmq within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Puts a failed job back after `delayMs`, through a retry queue that expires it into its queue. */
async function retryLater(client: AmqpClient, job: Job, delayMs: number): Promise<void> {
  const retryQueue = `${job.queue}.retry.${delayMs}`;
  const channel = await client.confirmChannel();
  // Declared on every use, which keeps it alive: its messages leave before it may expire.
  await channel.assertQueue(retryQueue, {
    durable: true,
    messageTtl: delayMs,
    deadLetterExchange: '',
    deadLetterRoutingKey: job.queue,
    expires: delayMs + RETRY_QUEUE_IDLE_MS,
  });
  await client.publish('', retryQueue, job.payload, {
    messageId: job.id,
    persistent: true,
    headers: { [ATTEMPT_HEADER]: job.attempt + 1, ...traceHeaders() },
  });
}

/** One `work()` call: a channel consuming the queue, opened again after a reconnect. */
class RabbitWorker {
  private channel?: Channel;
  private consumerTag?: string;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly client: AmqpClient,
    private readonly queue: string,
    private readonly handle: (job: Job) => Promise<void>,
    private readonly options: Required<WorkerOptions>,
  ) {}

  async start(): Promise<void> {
    const channel = await this.client.channel();
    this.channel = channel;
    channel.on('close', () => {
      if (!this.stopped && channel === this.channel) this.restart();
    });
    await channel.prefetch(this.options.concurrency);
    const { consumerTag } = await channel.consume(this.queue, (message) => {
      if (!message) return; // cancelled by the broker (queue deleted): the channel closes next
      const run = this.run(channel, message).finally(() => this.running.delete(run));
      this.running.add(run);
    });
    this.consumerTag = consumerTag;
  }

  /** Stops taking jobs, lets the running ones finish (and ack), then closes the channel. */
  async stop(): Promise<void> {
    this.stopped = true;
    const channel = this.channel;
    if (!channel) return;
    if (this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    await Promise.all(this.running);
    await channel.close().catch(() => undefined);
  }

  private restart(): void {
    this.client.log.warn({ queue: this.queue }, 'job worker channel closed; consuming again');
    // createChannel waits for the connection to come back.
    this.start().catch((err: unknown) => {
      this.client.log.warn({ err, queue: this.queue }, 'job worker could not resume yet; retrying');
      if (!this.stopped) setTimeout(() => this.restart(), 1_000).unref();
    });
  }

  private async run(channel: Channel, message: ConsumeMessage): Promise<void> {
    const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
    const job: Job = {
      id: String(message.properties.messageId ?? randomUUID()),
      queue: this.queue,
      payload: undefined,
      attempt: Number(headers[ATTEMPT_HEADER] ?? 1),
    };
    try {
      let readable = false;
      try {
        job.payload = JSON.parse(message.content.toString());
        readable = true;
        await inSpan(
          `${this.queue} process`,
          {
            kind: SpanKind.CONSUMER,
            parent: contextFrom(headers, ROOT_CONTEXT),
            attributes: { 'messaging.system': 'rabbitmq', 'job.attempt': job.attempt },
          },
          () => this.handle(job),
        );
        metrics.jobs.inc({ queue: this.queue, outcome: 'ok' });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (!readable || job.attempt >= this.options.maxAttempts) {
          this.client.log.error(
            { queue: this.queue, jobId: job.id, attempt: job.attempt, reason },
            'job dead-lettered',
          );
          metrics.jobs.inc({ queue: this.queue, outcome: 'dead_lettered' });
          const letter: DeadLetter = { ...job, error: reason };
          await this.client.publish('', deadLetterQueue(this.queue), letter, { messageId: job.id, persistent: true });
        } else {
          metrics.jobs.inc({ queue: this.queue, outcome: 'retried' });
          await retryLater(this.client, job, Math.round(this.options.backoffMs * 2 ** (job.attempt - 1)));
        }
      }
      channel.ack(message);
    } catch (error) {
      // The retry or dead letter could not be published: leave the job to the broker.
      this.client.log.warn({ err: error, queue: this.queue, jobId: job.id }, 'job not settled; it will be redelivered');
      try {
        channel.nack(message, false, true);
      } catch {
        // the channel is gone, and RabbitMQ redelivers its unacked messages anyway
      }
    }
  }
}
