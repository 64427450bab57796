import { join } from 'node:path';
import { z } from 'zod';
import { commonEnv, loadConfig } from '@agora/kit/config';

const ms = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/**
 * The notifications service's settings (env):
 *   PUBLIC_URL                 http://localhost:4000: the web app's address, for links in e-mails
 *   MAIL_FROM                  Agora <no-reply@agora.localhost>
 *   SMTP_URL                   smtp://host:port (smtps:// for TLS, user:pass@ for auth); unset: .eml files
 *   MAIL_DIR                   where .eml files go without SMTP_URL (default <DATA_DIR>/mail)
 *   NOTIFICATIONS_MAIL_WORKER  inline (default: the mail worker runs in this process) or off
 *                              (distributed mode: src/worker.ts runs it)
 *   MAIL_QUEUE                 mail: the job queue's name (its retries in mail.retry.<ms>, dead letters in mail.dlq)
 *   MAIL_BATCH_WINDOW_MS       120000: notifications of one kind within this window make one e-mail
 *   MAIL_DISPATCH_INTERVAL_MS  1000: how often due e-mails are queued
 *   MAIL_MAX_ATTEMPTS          8: deliveries of a mail job before it is dead-lettered (mail.dlq)
 *   MAIL_BACKOFF_MS            5000: first retry delay, doubling (5 s, 10 s … 320 s: about 10 minutes in all)
 *   MAIL_WORKER_CONCURRENCY    2: e-mails sent at once per worker
 *   MAIL_DIGEST_HOUR_UTC       8: when daily digests go out
 *   MAIL_SMTP_TIMEOUT_MS       10000: connection and greeting timeout towards the SMTP server
 */
export const notificationsEnv = z.object({
  PUBLIC_URL: z.string().url().default('http://localhost:4000'),
  MAIL_FROM: z.string().min(3).default('Agora <no-reply@agora.localhost>'),
  SMTP_URL: z
    .string()
    .url()
    .refine((url) => /^smtps?:\/\//.test(url), 'must be smtp://… or smtps://…')
    .optional(),
  MAIL_DIR: z.string().optional(),
  NOTIFICATIONS_MAIL_WORKER: z.enum(['inline', 'off']).default('inline'),
  MAIL_QUEUE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,100}$/, 'letters, digits, dots, dashes')
    .default('mail'),
  MAIL_BATCH_WINDOW_MS: ms(120_000),
  MAIL_DISPATCH_INTERVAL_MS: ms(1_000).refine((v) => v >= 10, 'must be at least 10'),
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  MAIL_BACKOFF_MS: ms(5_000),
  MAIL_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
  MAIL_DIGEST_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(8),
  MAIL_SMTP_TIMEOUT_MS: ms(10_000),
});

export interface NotificationsSettings {
  publicUrl: string;
  mailFrom: string;
  smtpUrl?: string;
  /** Where .eml files go when there is no SMTP server; undefined keeps them in memory. */
  mailDir?: string;
  mailWorker: 'inline' | 'off';
  mailQueue: string;
  batchWindowMs: number;
  dispatchIntervalMs: number;
  maxAttempts: number;
  backoffMs: number;
  workerConcurrency: number;
  digestHourUtc: number;
  smtpTimeoutMs: number;
}

export function notificationsSettings(
  dataDir: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): NotificationsSettings {
  const c = loadConfig(notificationsEnv, env);
  return {
    publicUrl: c.PUBLIC_URL.replace(/\/+$/, ''),
    mailFrom: c.MAIL_FROM,
    smtpUrl: c.SMTP_URL,
    mailDir: c.MAIL_DIR ?? (dataDir ? join(dataDir, 'mail') : undefined),
    mailWorker: c.NOTIFICATIONS_MAIL_WORKER,
    mailQueue: c.MAIL_QUEUE,
    batchWindowMs: c.MAIL_BATCH_WINDOW_MS,
    dispatchIntervalMs: c.MAIL_DISPATCH_INTERVAL_MS,
    maxAttempts: c.MAIL_MAX_ATTEMPTS,
    backoffMs: c.MAIL_BACKOFF_MS,
    workerConcurrency: c.MAIL_WORKER_CONCURRENCY,
    digestHourUtc: c.MAIL_DIGEST_HOUR_UTC,
    smtpTimeoutMs: c.MAIL_SMTP_TIMEOUT_MS,
  };
}

/** The standalone mail worker's env (src/worker.ts): it opens the subgraph's database, so DATABASE_URL is required. */
export const mailWorkerEnvSchema = z.object({
  DATA_DIR: commonEnv.DATA_DIR,
  DATABASE_URL: z.string().url(),
});
