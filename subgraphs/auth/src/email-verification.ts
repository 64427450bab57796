import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { addressVerificationRequested, addressVerified } from '@agora/contracts/events';
import { badInput, apiError } from '@agora/kit/errors';
import type { Emit, Outbox } from '@agora/kit/outbox';

/** How long the link of a verification e-mail works. */
export const VERIFICATION_TTL_MS = 48 * 3600_000;
/** A new verification e-mail at most this often per account. */
export const RESEND_INTERVAL_MS = 60_000;

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Proving an account's e-mail address. Auth owns the address; it announces it on
 * `auth.addresses` (read only by the notifications service, which sends the mail): at
 * registration and on request, `address.verification-requested` with a one-time token
 * (256 random bits; only its SHA-256 is stored here), and once the link is opened,
 * `address.verified`. The e-mail never leaves auth any other way.
 */
export class EmailVerifications {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** Within the caller's transaction (registration): a new token and its event. */
  async request(tx: EntityManager, emit: Emit, userId: string, email: string): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + VERIFICATION_TTL_MS);
    await tx.query(`INSERT INTO email_verifications (token_hash, user_id, email, expires_at) VALUES ($1, $2, $3, $4)`, [
      hash(token),
      userId,
      email,
      expiresAt,
    ]);
    emit(
      addressVerificationRequested.topic,
      addressVerificationRequested.build({
        subject: userId,
        actorId: userId,
        data: { userId, email, token, expiresAt: expiresAt.toISOString() },
      }),
    );
  }

  /**
   * Sends the signed-in account a new verification e-mail. False when its address is
   * verified already; RATE_LIMITED within a minute of the previous one.
   */
  async resend(userId: string): Promise<boolean> {
    return this.outbox.transaction(async (tx, emit) => {
      const [account] = (await tx.query(
        `SELECT email, email_verified_at FROM credentials WHERE user_id = $1 FOR UPDATE`,
        [userId],
      )) as { email: string; email_verified_at: Date | null }[];
      if (!account) throw apiError('NOT_FOUND', 'No account for this token');
      if (account.email_verified_at) return false;
      const [last] = (await tx.query(
        `SELECT created_at FROM email_verifications WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1`,
        [userId],
      )) as { created_at: Date }[];
      const wait = last ? new Date(last.created_at).getTime() + RESEND_INTERVAL_MS - Date.now() : 0;
      if (wait > 0) {
        throw apiError('RATE_LIMITED', 'A verification e-mail was sent less than a minute ago', {
          retryAfter: Math.ceil(wait / 1000),
        });
      }
      await this.request(tx, emit, userId, account.email);
      return true;
    });
  }

  /**
   * Opens a verification link: works signed out, once, before it expires, and only for the
   * address the account still has. Anything else is BAD_USER_INPUT and changes nothing.
   */
  async verify(token: string): Promise<{ userId: string }> {
    if (typeof token !== 'string' || token.length < 20 || token.length > 200) {
      throw badInput('This verification link is invalid', 'token');
    }
    return this.outbox.transaction(async (tx, emit) => {
      const [row] = (await tx.query(
        `SELECT v.user_id, v.email, v.expires_at, v.used_at, c.email AS current_email, c.email_verified_at
           FROM email_verifications v JOIN credentials c ON c.user_id = v.user_id
          WHERE v.token_hash = $1 FOR UPDATE OF v, c`,
        [hash(token)],
      )) as {
        user_id: string;
        email: string;
        expires_at: Date;
        used_at: Date | null;
        current_email: string;
        email_verified_at: Date | null;
      }[];
      if (!row || row.email !== row.current_email) throw badInput('This verification link is invalid', 'token');
      if (row.used_at || row.email_verified_at) {
        throw badInput('This address is verified already: this link has been used', 'token');
      }
      if (new Date(row.expires_at).getTime() <= Date.now()) {
        throw badInput('This verification link has expired: ask for a new one in your settings', 'token');
      }
      const verifiedAt = new Date();
      await tx.query(`UPDATE email_verifications SET used_at = $2 WHERE token_hash = $1`, [hash(token), verifiedAt]);
      await tx.query(`UPDATE credentials SET email_verified_at = $2 WHERE user_id = $1`, [row.user_id, verifiedAt]);
      emit(
        addressVerified.topic,
        addressVerified.build({
          subject: row.user_id,
          actorId: row.user_id,
          data: { userId: row.user_id, email: row.email, verifiedAt: verifiedAt.toISOString() },
        }),
      );
      return { userId: row.user_id };
    });
  }

  /** Whether the account's current address is verified (the admin grant needs a verified address). */
  async isVerified(userId: string): Promise<boolean> {
    const rows = (await this.db.query(`SELECT email_verified_at FROM credentials WHERE user_id = $1`, [userId])) as {
      email_verified_at: Date | null;
    }[];
    return Boolean(rows[0]?.email_verified_at);
  }
}
