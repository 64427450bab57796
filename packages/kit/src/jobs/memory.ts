import { randomUUID } from 'node:crypto';
import {
  DEFAULT_WORKER_OPTIONS,
  type DeadLetter,
  type Job,
  type JobQueue,
  type Worker,
  type WorkerOptions,
} from './port';

interface Slot {
  handle: (job: Job) => Promise<void>;
  options: Required<WorkerOptions>;
  busy: number;
  stopped: boolean;
}

/** The in-process job queue of embedded mode: same retry and dead-letter rules as RabbitMQ. */
export class MemoryJobQueue implements JobQueue {
  private readonly ready = new Map<string, Job[]>();
  private readonly dead = new Map<string, DeadLetter[]>();
  private readonly workers = new Map<string, Slot[]>();
  private readonly timers = new Set<NodeJS.Timeout>();

  enqueue<P>(queue: string, payload: P, options: { id?: string } = {}): Promise<void> {
    this.push({ id: options.id ?? randomUUID(), queue, payload: structuredClone(payload), attempt: 1 });
    return Promise.resolve();
  }

  work<P>(queue: string, handle: (job: Job<P>) => Promise<void>, options: WorkerOptions = {}): Promise<Worker> {
    const slot: Slot = {
      handle: handle as (job: Job) => Promise<void>,
      options: { ...DEFAULT_WORKER_OPTIONS, ...options },
      busy: 0,
      stopped: false,
    };
    this.workers.set(queue, [...(this.workers.get(queue) ?? []), slot]);
    this.dispatch(queue);
    return Promise.resolve({
      stop: () => {
        slot.stopped = true;
        this.workers.set(
          queue,
          (this.workers.get(queue) ?? []).filter((s) => s !== slot),
        );
        return Promise.resolve();
      },
    });
  }

  takeDeadLetters(queue: string): Promise<DeadLetter[]> {
    const letters = this.dead.get(queue) ?? [];
    this.dead.delete(queue);
    return Promise.resolve(letters);
  }

  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.workers.clear();
    return Promise.resolve();
  }

  private push(job: Job): void {
    const jobs = this.ready.get(job.queue) ?? [];
    jobs.push(job);
    this.ready.set(job.queue, jobs);
    this.dispatch(job.queue);
  }

  private dispatch(queue: string): void {
    const jobs = this.ready.get(queue) ?? [];
    for (;;) {
      const slot = (this.workers.get(queue) ?? []).find((s) => !s.stopped && s.busy < s.options.concurrency);
      const job = slot && jobs.shift();
      if (!slot || !job) return;
      slot.busy += 1;
      void this.run(slot, job).finally(() => {
        slot.busy -= 1;
        this.dispatch(queue);
      });
    }
  }

  private async run(slot: Slot, job: Job): Promise<void> {
    try {
      await slot.handle(structuredClone(job));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (job.attempt >= slot.options.maxAttempts) {
        this.dead.set(job.queue, [...(this.dead.get(job.queue) ?? []), { ...job, error: message }]);
        return;
      }
      const delay = slot.options.backoffMs * 2 ** (job.attempt - 1);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.push({ ...job, attempt: job.attempt + 1 });
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
  }
}
