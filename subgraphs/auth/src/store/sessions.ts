import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/** A refresh token works for 30 days, and once: each use trades it for a new one. */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60_000;

export type Rotation =
  | { ok: true; userId: string; email: string; refreshToken: string }
  | { ok: false; reason: 'unknown' | 'ended' | 'expired' | 'reused' };

/** 256 random bits, base64url: unguessable, and meaningless to anyone but this service. */
const newRefreshToken = () => randomBytes(32).toString('base64url');

/** Only this digest is stored: a leaked table gives no usable token. */
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Sessions and their refresh-token families. A session starts at sign-in with one token;
 * each refresh marks the presented token used and adds its successor to the same family.
 * A used token presented again means it was copied: the whole session ends.
 */
export class SessionStore {
  constructor(private readonly db: DataSource) {}

  /** Starts a session for `userId` within `tx`; returns its first refresh token. */
  async open(tx: EntityManager, userId: string): Promise<string> {
    const rows = (await tx.query(`INSERT INTO sessions (user_id) VALUES ($1) RETURNING id`, [userId])) as {
      id: string;
    }[];
    return this.issue(tx, rows[0]!.id);
  }

  /** Trades a refresh token for its successor, or says why not (a replay ends the session). */
  async rotate(token: string): Promise<Rotation> {
    return this.db.transaction(async (tx) => {
      // Locks the token and its session, so concurrent uses of one family take turns.
      const rows = (await tx.query(
        `SELECT t.session_id, t.used_at, t.expires_at <= now() AS expired, s.revoked_at, s.user_id, c.email
           FROM refresh_tokens t
           JOIN sessions s ON s.id = t.session_id
           JOIN credentials c ON c.user_id = s.user_id
          WHERE t.token_hash = $1
          FOR UPDATE OF t, s`,
        [digest(token)],
      )) as {
        session_id: string;
        used_at: Date | null;
        expired: boolean;
        revoked_at: Date | null;
        user_id: string;
        email: string;
      }[];
      const found = rows[0];
      if (!found) return { ok: false, reason: 'unknown' };
      if (found.revoked_at) return { ok: false, reason: 'ended' };
      if (found.used_at) {
        await tx.query(`UPDATE sessions SET revoked_at = now(), revoked_reason = 'reuse' WHERE id = $1`, [
          found.session_id,
        ]);
        return { ok: false, reason: 'reused' };
      }
      if (found.expired) return { ok: false, reason: 'expired' };
      await tx.query(`UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1`, [digest(token)]);
      const refreshToken = await this.issue(tx, found.session_id);
      return { ok: true, userId: found.user_id, email: found.email, refreshToken };
    });
  }

  /** Ends the session `token` belongs to; false when there was no live session. */
  async end(token: string): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, affected row count].
    const [, ended] = (await this.db.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout'
        WHERE revoked_at IS NULL AND id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)`,
      [digest(token)],
    )) as [unknown[], number];
    return ended > 0;
  }

  private async issue(tx: EntityManager, sessionId: string): Promise<string> {
    const token = newRefreshToken();
    await tx.query(`INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)`, [
      digest(token),
      sessionId,
      new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
    ]);
    return token;
  }
}
