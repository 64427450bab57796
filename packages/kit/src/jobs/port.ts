export interface Job<P = unknown> {
  id: string;
  queue: string;
  payload: P;
  /** 1 on first delivery. */
  attempt: number;
}

export interface DeadLetter<P = unknown> extends Job<P> {
  error: string;
}

export interface WorkerOptions {
  /** Jobs handled at once by this worker. */
  concurrency?: number;
  /** Deliveries before a failing job is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; doubles on each further attempt. */
  backoffMs?: number;
}

export interface Worker {
  stop(): Promise<void>;
}

/**
 * The job queue port (RabbitMQ in distributed mode): at-least-once work with bounded
 * retries and a dead-letter queue. A failing job never blocks the others.
 */
export interface JobQueue {
  enqueue<P>(queue: string, payload: P, options?: { id?: string }): Promise<void>;
  work<P>(queue: string, handle: (job: Job<P>) => Promise<void>, options?: WorkerOptions): Promise<Worker>;
  /** Removes and returns the queue's dead letters (for operators and tests). */
  takeDeadLetters(queue: string): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

export const DEFAULT_WORKER_OPTIONS = {
  concurrency: 1,
  maxAttempts: 3,
  backoffMs: 200,
} satisfies Required<WorkerOptions>;
