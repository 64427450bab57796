import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Job, JobQueue, Worker } from '@agora/kit/jobs/port';
import type { Logger } from '@agora/kit/log';
import { channelsOf, CONFIGURABLE_KINDS, type ConfigurableKind, type NotificationKind } from '../domain/kinds';
import { renderNotificationMail, renderVerificationMail, type RenderedMail } from '../domain/mail-templates';
import type { MailBatch, MailStore } from '../store/mail';
import type { ReplicaStore } from '../store/replicas';
import type { SettingsStore } from '../store/settings';
import type { UnsubscribeTokens } from '../unsubscribe-tokens';
import { MailDeliveryError, type MailMessage, type MailTransport } from './transport';

/** The RabbitMQ queue of mail jobs by default (`mail.retry.<ms>` holds retries, `mail.dlq` the dead letters). */
export const MAIL_QUEUE = 'mail';

/** A mail job names its batch; everything else (the address too) is read from this service's database. */
const mailJob = z.object({ batchId: z.uuid() });
export type MailJob = z.infer<typeof mailJob>;

/** A batch queued or in sending for this long without an end is queued again (a lost job, a dead worker). */
export const STALE_BATCH_MS = 15 * 60_000;

export interface MailWorkerDeps {
  db: DataSource;
  mail: MailStore;
  replicas: ReplicaStore;
  settings: SettingsStore;
  tokens: UnsubscribeTokens;
  transport: MailTransport;
  jobs: JobQueue;
  log: Logger;
  options: {
    publicUrl: string;
    mailFrom: string;
    mailQueue: string;
    dispatchIntervalMs: number;
    maxAttempts: number;
    backoffMs: number;
    workerConcurrency: number;
  };
}

export interface MailWorker {
  /** Queues every due batch now (the timer does it every dispatchIntervalMs); returns how many. */
  dispatch(): Promise<number>;
  stop(): Promise<void>;
}

type Composed = { message: MailMessage; items: number } | { cancel: string };

/**
 * The mail worker: a dispatcher that queues due batches as jobs on the `mail` queue, and
 * the consumer of those jobs, which renders each batch and sends it. A failed delivery is
 * recorded and retried with backoff (the job queue's); after the last attempt the job goes
 * to `mail.dlq`, and an address the server refused permanently (5xx) is mailed no more.
 */
export async function startMailWorker(deps: MailWorkerDeps): Promise<MailWorker> {
  const { mail, jobs, log, options } = deps;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let lastStaleCheck = 0;

  const enqueue = async (ids: string[]) => {
    const failed: string[] = [];
    for (const batchId of ids) {
      try {
        await jobs.enqueue<MailJob>(options.mailQueue, { batchId }, { id: batchId });
      } catch (error) {
        failed.push(batchId);
        log.warn({ err: error, batchId }, 'mail job could not be queued; will try again');
      }
    }
    await mail.reopen(failed);
    return ids.length - failed.length;
  };

  const dispatch = async (): Promise<number> => {
    let queued = 0;
    for (;;) {
      const due = await mail.queueDue(100);
      queued += await enqueue(due);
      if (due.length < 100) break;
    }
    if (Date.now() - lastStaleCheck > 60_000) {
      lastStaleCheck = Date.now();
      const stale = await mail.requeueStale(STALE_BATCH_MS);
      if (stale.length > 0) log.warn({ batches: stale.length }, 'stale mail batches queued again');
      queued += await enqueue(stale);
    }
    return queued;
  };

  const tick = () => {
    if (stopped) return;
    running = dispatch()
      .catch((error: unknown) => log.warn({ err: error }, 'mail dispatch failed; will try again'))
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(tick, options.dispatchIntervalMs);
          timer.unref();
        }
      });
  };

  const worker: Worker = await jobs.work<unknown>(options.mailQueue, (job) => handle(deps, job), {
    concurrency: options.workerConcurrency,
    maxAttempts: options.maxAttempts,
    backoffMs: options.backoffMs,
  });
  tick();
  log.info({ transport: deps.transport.description, queue: options.mailQueue }, 'mail worker running');

  return {
    dispatch: () => {
      const run = running.then(dispatch);
      running = run.catch(() => undefined);
      return run;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await worker.stop();
      deps.transport.close();
    },
  };
}

async function handle(deps: MailWorkerDeps, job: Job<unknown>): Promise<void> {
  const { mail, replicas, log, transport, options } = deps;
  const parsed = mailJob.safeParse(job.payload);
  if (!parsed.success) throw new Error(`not a mail job: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
  const batch = await mail.claim(parsed.data.batchId);
  // Not queued: sent, ended or being sent by another delivery of this job. Never twice.
  if (!batch) return;
  const jobLog = log.child({ batchId: batch.id, kind: batch.kind, attempt: job.attempt });
  let composed: Composed;
  try {
    composed = await compose(deps, batch);
  } catch (error) {
    await mail.release(batch.id, (error as Error).message);
    throw error;
  }
  if ('cancel' in composed) {
    await mail.finish(batch.id, 'cancelled', composed.cancel);
    jobLog.info({ reason: composed.cancel }, 'mail not sent');
    return;
  }
  try {
    const response = await transport.send(composed.message);
    await mail.recordAttempt(batch.id, { attempt: batch.attempts, outcome: 'sent', response });
    await mail.finish(batch.id, 'sent');
    jobLog.info({ items: composed.items }, 'mail sent');
  } catch (error) {
    const failure =
      error instanceof MailDeliveryError ? error : new MailDeliveryError((error as Error).message ?? 'failed', false);
    await mail.recordAttempt(batch.id, {
      attempt: batch.attempts,
      outcome: 'failed',
      permanent: failure.permanent,
      response: failure.message,
    });
    if (job.attempt >= options.maxAttempts) {
      await mail.finish(batch.id, 'failed', failure.message);
      if (failure.permanent) {
        await replicas.suppressAddress(deps.db, batch.recipientId, composed.message.to, failure.message);
        jobLog.warn({ response: failure.message }, 'address refused permanently: no more mail to it');
      }
      jobLog.error({ response: failure.message }, 'mail failed for good: job dead-lettered');
    } else {
      await mail.release(batch.id, failure.message);
      jobLog.warn({ response: failure.message, permanent: failure.permanent }, 'mail delivery failed; will retry');
    }
    throw failure;
  }
}

async function compose(deps: MailWorkerDeps, batch: MailBatch): Promise<Composed> {
  const { replicas, settings, tokens, mail, options } = deps;
  const db = deps.db;
  const address = await replicas.address(batch.recipientId, db);
  const user = await replicas.user(db, batch.recipientId);
  const name = user?.displayName || user?.handle || 'there';
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
  const messageId = `<${batch.id}@agora>`;

  if (batch.kind === 'VERIFICATION') {
    const request = batch.payload;
    if (!request) return { cancel: 'no verification link' };
    if (address?.suppressed && address.email === request.email) return { cancel: 'address suppressed' };
    if (address?.verified && address.email === request.email) return { cancel: 'address verified already' };
    if (Date.parse(request.expiresAt) <= Date.now()) return { cancel: 'verification link expired' };
    const url = `${options.publicUrl}/verify-email?token=${encodeURIComponent(request.token)}`;
    const rendered = renderVerificationMail({ recipientName: name, url, expiresAt: new Date(request.expiresAt) });
    return { message: message(options.mailFrom, request.email, rendered, messageId, headers), items: 1 };
  }

  if (!address) return { cancel: 'no address known' };
  if (!address.verified) return { cancel: 'address not verified' };
  if (address.suppressed) return { cancel: 'address suppressed' };
  const current = await settings.read(batch.recipientId, db);
  const emailed = (kind: NotificationKind) => channelsOf(current.kinds, kind).email;
  const items = (await mail.items(batch)).filter((item) => emailed(item.kind));
  if (items.length === 0) return { cancel: 'nothing left to send (e-mail turned off, or blocked)' };

  const kinds = [...new Set(items.map((i) => i.kind))].filter((k): k is ConfigurableKind =>
    (CONFIGURABLE_KINDS as readonly string[]).includes(k),
  );
  const unsubscribe: Partial<Record<NotificationKind, string>> = {};
  for (const kind of kinds) {
    unsubscribe[kind] =
      `${options.publicUrl}/unsubscribe?token=${encodeURIComponent(await tokens.sign(batch.recipientId, kind))}`;
  }
  const rendered = renderNotificationMail({
    recipientName: name,
    items: items.map((item) => ({ ...item, url: `${options.publicUrl}${item.path}` })),
    digest: batch.kind === 'DIGEST',
    unsubscribe,
    settingsUrl: `${options.publicUrl}/settings/notifications`,
  });
  if (kinds.length === 1) headers['List-Unsubscribe'] = `<${unsubscribe[kinds[0]!]}>`;
  return { message: message(options.mailFrom, address.email, rendered, messageId, headers), items: items.length };
}

const message = (
  from: string,
  to: string,
  rendered: RenderedMail,
  messageId: string,
  headers: Record<string, string>,
): MailMessage => ({ from, to, ...rendered, messageId, headers });
