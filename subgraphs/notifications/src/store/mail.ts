import type { DataSource, EntityManager } from 'typeorm';
import { notBlockedBy } from '@agora/kit/blocks';
import { sqlRows } from '@agora/kit/db/sql';
import { batchClosesAt, batchKindOf, nextDigestAt, type NotificationKind } from '../domain/kinds';
import type { ReplicaStore } from './replicas';

/** What a mail batch is: notifications of one kind, the daily digest, or a verification link. */
export type BatchKind = NotificationKind | 'DIGEST' | 'VERIFICATION';
export type BatchStatus = 'open' | 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface MailBatch {
  id: string;
  recipientId: string;
  kind: BatchKind;
  status: BatchStatus;
  sendAfter: Date;
  payload: { email: string; token: string; expiresAt: string } | null;
  attempts: number;
}

export interface BatchItem {
  id: string;
  kind: NotificationKind;
  summary: string;
  excerpt: string | null;
  path: string;
}

export interface MailAttempt {
  attempt: number;
  outcome: 'sent' | 'failed';
  permanent: boolean;
  response: string | null;
  at: Date;
}

const BATCH = `id, recipient_id AS "recipientId", kind, status, send_after AS "sendAfter", payload, attempts`;

/**
 * E-mail batches, their items and delivery attempts. A batch is `open` while notifications
 * join it; the dispatcher queues it (`queued`) once `send_after` has passed and puts a job
 * on the `mail` queue; a worker claims it (`sending`) and ends it `sent`, `failed` or
 * `cancelled`. Each status change is one conditional UPDATE, so a job delivered twice, or
 * two workers, never send one batch twice.
 */
export class MailStore {
  constructor(
    private readonly db: DataSource,
    private readonly replicas: ReplicaStore,
    private readonly options: { batchWindowMs: number; digestHourUtc: number },
  ) {}

  /**
   * Within the transaction that added the notification: puts it in the recipient's open
   * batch of its kind (or the daily digest), opening one if there is none. Nothing is
   * collected for an address that is unknown, unverified or suppressed.
   */
  async collect(
    tx: EntityManager,
    n: { notificationId: string; recipientId: string; kind: NotificationKind },
    dailyDigest: boolean,
  ): Promise<boolean> {
    const address = await this.replicas.address(n.recipientId, tx);
    if (!address?.verified || address.suppressed) return false;
    const kind = batchKindOf(n.kind, dailyDigest);
    const now = new Date();
    const sendAfter = dailyDigest
      ? nextDigestAt(now, this.options.digestHourUtc)
      : batchClosesAt(now, this.options.batchWindowMs);
    let batchId = await this.openBatch(tx, n.recipientId, kind);
    if (!batchId) {
      const inserted = (await tx.query(
        `INSERT INTO mail_batches (recipient_id, kind, send_after) VALUES ($1, $2, $3)
         ON CONFLICT (recipient_id, kind) WHERE status = 'open' DO NOTHING RETURNING id`,
        [n.recipientId, kind, sendAfter],
      )) as { id: string }[];
      batchId = inserted[0]?.id ?? (await this.openBatch(tx, n.recipientId, kind));
    }
    if (!batchId) throw new Error('no open mail batch after opening one');
    await tx.query(`INSERT INTO mail_batch_items (batch_id, notification_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      batchId,
      n.notificationId,
    ]);
    return true;
  }

  private async openBatch(tx: EntityManager, recipientId: string, kind: string): Promise<string | undefined> {
    // Locks it: the dispatcher cannot queue it while this notification joins.
    const rows = (await tx.query(
      `SELECT id FROM mail_batches WHERE recipient_id = $1 AND kind = $2 AND status = 'open' FOR UPDATE`,
      [recipientId, kind],
    )) as { id: string }[];
    return rows[0]?.id;
  }

  /** A verification e-mail, due now; a newer request replaces the link of one not sent yet. */
  async requestVerification(
    tx: EntityManager,
    request: { userId: string; email: string; token: string; expiresAt: string },
  ): Promise<void> {
    const payload = JSON.stringify({ email: request.email, token: request.token, expiresAt: request.expiresAt });
    await tx.query(
      `INSERT INTO mail_batches (recipient_id, kind, send_after, payload) VALUES ($1, 'VERIFICATION', now(), $2)
       ON CONFLICT (recipient_id, kind) WHERE status = 'open' DO UPDATE SET payload = EXCLUDED.payload`,
      [request.userId, payload],
    );
  }

  /** Queues the open batches whose window has closed (at most `limit`); returns their ids. */
  async queueDue(limit: number, now = new Date()): Promise<string[]> {
    const rows = await sqlRows<{ id: string }>(
      this.db.manager,
      `UPDATE mail_batches SET status = 'queued', queued_at = now()
        WHERE id IN (
          SELECT id FROM mail_batches WHERE status = 'open' AND send_after <= $1
           ORDER BY send_after LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Puts batches whose job could not be enqueued back to `open`, for the next round. */
  async reopen(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`UPDATE mail_batches SET status = 'open' WHERE id = ANY($1::uuid[]) AND status = 'queued'`, [
      ids,
    ]);
  }

  /**
   * Batches queued or being sent for longer than `staleMs` (a lost job, a worker that died
   * mid-send): queued again, and their ids returned to enqueue once more.
   */
  async requeueStale(staleMs: number): Promise<string[]> {
    const rows = await sqlRows<{ id: string }>(
      this.db.manager,
      `UPDATE mail_batches SET status = 'queued', queued_at = now()
        WHERE status IN ('queued', 'sending')
          AND coalesce(claimed_at, queued_at) < now() - make_interval(secs => $1)
        RETURNING id`,
      [staleMs / 1000],
    );
    return rows.map((r) => r.id);
  }

  /** The worker takes a queued batch for sending; undefined when it is not queued (done, or taken). */
  async claim(batchId: string): Promise<MailBatch | undefined> {
    const [batch] = await sqlRows<MailBatch>(
      this.db.manager,
      `UPDATE mail_batches SET status = 'sending', attempts = attempts + 1, claimed_at = now()
        WHERE id = $1 AND status = 'queued' RETURNING ${BATCH}`,
      [batchId],
    );
    return batch;
  }

  /** The batch's notifications still worth telling: none whose actor and recipient have blocked one another. */
  async items(batch: MailBatch): Promise<BatchItem[]> {
    return (await this.db.query(
      `SELECT n.id, n.kind, n.summary, n.excerpt, n.path
         FROM mail_batch_items i JOIN notifications n ON n.id = i.notification_id
        WHERE i.batch_id = $1
          AND (n.actor_id IS NULL OR (${notBlockedBy('$2', 'n.actor_id')}
               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = n.actor_id AND b.blocked_id = $2::uuid)))
        ORDER BY n.created_at, n.id`,
      [batch.id, batch.recipientId],
    )) as BatchItem[];
  }

  async recordAttempt(
    batchId: string,
    attempt: { attempt: number; outcome: 'sent' | 'failed'; permanent?: boolean; response?: string },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO mail_attempts (batch_id, attempt, outcome, permanent, response) VALUES ($1, $2, $3, $4, $5)`,
      [batchId, attempt.attempt, attempt.outcome, attempt.permanent ?? false, attempt.response?.slice(0, 1000) ?? null],
    );
  }

  /** Ends a batch the worker holds; a verification link is forgotten once it is no longer needed. */
  async finish(batchId: string, status: 'sent' | 'failed' | 'cancelled', error?: string): Promise<void> {
    await this.db.query(
      `UPDATE mail_batches SET status = $2, last_error = $3, payload = NULL,
              sent_at = CASE WHEN $2 = 'sent' THEN now() END
        WHERE id = $1 AND status = 'sending'`,
      [batchId, status, error?.slice(0, 1000) ?? null],
    );
  }

  /** A failed attempt that will be retried: queued again for the job's next delivery. */
  async release(batchId: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE mail_batches SET status = 'queued', queued_at = now(), claimed_at = NULL, last_error = $2
        WHERE id = $1 AND status = 'sending'`,
      [batchId, error.slice(0, 1000)],
    );
  }

  /** For operators and tests: a batch and its attempts. */
  async batch(batchId: string): Promise<(MailBatch & { attemptsLog: MailAttempt[] }) | undefined> {
    const [batch] = (await this.db.query(`SELECT ${BATCH} FROM mail_batches WHERE id = $1`, [batchId])) as MailBatch[];
    if (!batch) return undefined;
    const attemptsLog = (await this.db.query(
      `SELECT attempt, outcome, permanent, response, at FROM mail_attempts WHERE batch_id = $1 ORDER BY id`,
      [batchId],
    )) as MailAttempt[];
    return { ...batch, attemptsLog };
  }

  /** For operators and tests: the batches of a recipient, newest first. */
  async batchesOf(recipientId: string): Promise<MailBatch[]> {
    return (await this.db.query(
      `SELECT ${BATCH} FROM mail_batches WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC`,
      [recipientId],
    )) as MailBatch[];
  }
}
