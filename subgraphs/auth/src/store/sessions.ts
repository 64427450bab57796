import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/** A refresh token works for 30 days, and once: each use trades it for a new one. */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60_000;

/**
 * How long a just-traded refresh token still answers with the pair it was traded for.
 * Two tabs refreshing at once, or a reload before the answer arrived, present the same
 * token twice within a moment; both get the same new pair instead of ending the session.
 */
export const DEFAULT_REFRESH_GRACE_MS = 10_000;

/** The new refresh token, and the access token issued with it. */
export interface IssuedPair {
  refreshToken: string;
  accessToken: string;
}

export type Rotation =
  | ({ ok: true; userId: string; email: string } & IssuedPair)
  | { ok: false; reason: 'unknown' | 'ended' | 'expired' | 'reused' };

/** 256 random bits, base64url: unguessable, and meaningless to anyone but this service. */
const newRefreshToken = () => randomBytes(32).toString('base64url');

/** Only this digest is stored: a leaked table gives no usable token. */
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The key that seals a token's successor pair: derived from the token itself (domain-separated
 * from the stored digest), so only whoever presents the token can open it; a leaked table
 * cannot.
 */
const sealKey = (token: string) => createHash('sha256').update(`agora.refresh-successor\0${token}`).digest();

function seal(pair: IssuedPair, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(token), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(pair), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

function unseal(text: string, token: string): IssuedPair | undefined {
  try {
    const bytes = Buffer.from(text, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(token), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(plain) as IssuedPair;
  } catch {
    return undefined;
  }
}

/**
 * Sessions and their refresh-token families. A session starts at sign-in with one token;
 * each refresh marks the presented token used and adds its successor to the same family.
 * A used token presented again means it was copied: the whole session ends — unless it
 * comes back within the grace period, when it gets the same successor pair again.
 */
export class SessionStore {
  constructor(
    private readonly db: DataSource,
    private readonly graceMs = DEFAULT_REFRESH_GRACE_MS,
  ) {}

  /** Starts a session for `userId` within `tx`; returns its first refresh token. */
  async open(tx: EntityManager, userId: string): Promise<string> {
    const rows = (await tx.query(`INSERT INTO sessions (user_id) VALUES ($1) RETURNING id`, [userId])) as {
      id: string;
    }[];
    return this.issue(tx, rows[0]!.id);
  }

  /**
   * Trades a refresh token for its successor and the access token `sign` makes, or says why
   * not (a replay ends the session). Within the grace period after a trade, the same token
   * gets the same pair again.
   */
  /** `sign` runs inside the rotation's transaction and must read through `tx` (PGlite has one connection). */
  async rotate(
    token: string,
    sign: (userId: string, email: string, tx: EntityManager) => Promise<string>,
  ): Promise<Rotation> {
    return this.db.transaction(async (tx) => {
      // Locks the token and its session, so concurrent uses of one family take turns: the
      // first trades the token, the others then find it used (and within the grace period).
      const rows = (await tx.query(
        `SELECT t.session_id, t.used_at, t.successor_sealed, t.expires_at <= now() AS expired,
                t.used_at > now() - make_interval(secs => $2) AS in_grace,
                s.revoked_at, s.user_id, c.email
           FROM refresh_tokens t
           JOIN sessions s ON s.id = t.session_id
           JOIN credentials c ON c.user_id = s.user_id
          WHERE t.token_hash = $1
          FOR UPDATE OF t, s`,
        [digest(token), this.graceMs / 1000],
      )) as {
        session_id: string;
        used_at: Date | null;
        successor_sealed: string | null;
        expired: boolean;
        in_grace: boolean | null;
        revoked_at: Date | null;
        user_id: string;
        email: string;
      }[];
      const found = rows[0];
      if (!found) return { ok: false, reason: 'unknown' };
      if (found.revoked_at) return { ok: false, reason: 'ended' };
      if (found.used_at) {
        const again = found.in_grace && found.successor_sealed ? unseal(found.successor_sealed, token) : undefined;
        if (again) return { ok: true, userId: found.user_id, email: found.email, ...again };
        await tx.query(`UPDATE sessions SET revoked_at = now(), revoked_reason = 'reuse' WHERE id = $1`, [
          found.session_id,
        ]);
        return { ok: false, reason: 'reused' };
      }
      if (found.expired) return { ok: false, reason: 'expired' };
      const refreshToken = await this.issue(tx, found.session_id);
      const pair = { refreshToken, accessToken: await sign(found.user_id, found.email, tx) };
      await tx.query(`UPDATE refresh_tokens SET used_at = now(), successor_sealed = $2 WHERE token_hash = $1`, [
        digest(token),
        seal(pair, token),
      ]);
      return { ok: true, userId: found.user_id, email: found.email, ...pair };
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
