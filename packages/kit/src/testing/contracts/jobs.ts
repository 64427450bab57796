import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sleep, waitFor } from '../wait';
import type { Job, JobQueue, Worker } from '../../jobs/port';

/** The behaviour every JobQueue adapter must have; run once per adapter. */
export function jobQueueContract(adapter: string, open: () => Promise<JobQueue>, timeoutMs = 15_000): void {
  describe(`JobQueue contract: ${adapter}`, () => {
    let jobs: JobQueue;
    let queue: string;
    const workers: Worker[] = [];
    beforeEach(async () => {
      jobs = await open();
      queue = `contract.${randomUUID()}`;
    });
    afterEach(async () => {
      for (const w of workers.splice(0)) await w.stop();
      await jobs.close();
    });

    it(
      'delivers each job once with its payload and id',
      async () => {
        const seen: Job<{ n: number }>[] = [];
        workers.push(await jobs.work<{ n: number }>(queue, async (job) => void seen.push(job)));
        await jobs.enqueue(queue, { n: 1 }, { id: 'job-1' });
        await jobs.enqueue(queue, { n: 2 });
        await waitFor('two jobs', () => seen.length >= 2, timeoutMs);
        await sleep(200);
        expect(seen).toHaveLength(2);
        expect(seen.find((j) => j.id === 'job-1')).toMatchObject({ queue, payload: { n: 1 }, attempt: 1 });
      },
      timeoutMs + 5_000,
    );

    it(
      'keeps jobs enqueued before a worker starts',
      async () => {
        await jobs.enqueue(queue, { n: 1 });
        const seen: Job[] = [];
        workers.push(await jobs.work(queue, async (job) => void seen.push(job)));
        await waitFor('the early job', () => seen.length >= 1, timeoutMs);
      },
      timeoutMs + 5_000,
    );

    it(
      'retries a failing job, then succeeds',
      async () => {
        const attempts: number[] = [];
        workers.push(
          await jobs.work(
            queue,
            async (job) => {
              attempts.push(job.attempt);
              if (job.attempt < 3) throw new Error('flaky');
            },
            { maxAttempts: 3, backoffMs: 20 },
          ),
        );
        await jobs.enqueue(queue, { n: 1 });
        await waitFor('three attempts', () => attempts.length >= 3, timeoutMs);
        await sleep(200);
        expect(attempts).toEqual([1, 2, 3]);
        expect(await jobs.takeDeadLetters(queue)).toEqual([]);
      },
      timeoutMs + 5_000,
    );

    it(
      'dead-letters a job that always fails, and keeps serving the others',
      async () => {
        const done: number[] = [];
        let poisonAttempts = 0;
        workers.push(
          await jobs.work<{ n: number; poison?: boolean }>(
            queue,
            async (job) => {
              if (job.payload.poison) {
                poisonAttempts += 1;
                throw new Error('always fails');
              }
              done.push(job.payload.n);
            },
            { maxAttempts: 3, backoffMs: 20 },
          ),
        );
        await jobs.enqueue(queue, { n: 0, poison: true }, { id: 'poison' });
        for (let n = 1; n <= 5; n++) await jobs.enqueue(queue, { n });
        await waitFor('good jobs', () => done.length >= 5, timeoutMs);
        const letters = await waitFor(
          'a dead letter',
          async () => {
            const taken = await jobs.takeDeadLetters(queue);
            return taken.length > 0 ? taken : undefined;
          },
          timeoutMs,
        );
        expect(poisonAttempts).toBe(3);
        expect(letters).toHaveLength(1);
        expect(letters?.[0]).toMatchObject({
          id: 'poison',
          queue,
          payload: { n: 0, poison: true },
          error: 'always fails',
        });
        expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
      },
      timeoutMs + 5_000,
    );
  });
}
