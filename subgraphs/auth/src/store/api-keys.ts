import type { DataSource } from 'typeorm';
import { API_KEYS_LISTED } from '../domain/api-keys';

/** An API key as listed (never its secret). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  expires_at: Date | string | null;
}

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));
const toRecord = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: date(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : date(row.last_used_at),
  expiresAt: row.expires_at === null ? null : date(row.expires_at),
});
const COLUMNS = 'id, name, prefix, created_at, last_used_at, expires_at';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** API keys: their SHA-256 (unique), owner, name, shown prefix, use and end dates. */
export class ApiKeyStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a key unless its owner already holds `maxLive` live keys (null then). The owner's
   * credentials row is locked, so concurrent creations take turns and the cap holds.
   */
  async insert(
    key: { userId: string; name: string; prefix: string; hash: string; expiresAt: Date | null },
    maxLive: number,
  ): Promise<ApiKeyRecord | null> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT 1 FROM credentials WHERE user_id = $1 FOR UPDATE`, [key.userId]);
      const [{ live }] = (await tx.query(
        `SELECT count(*)::int AS live FROM api_keys
          WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [key.userId],
      )) as [{ live: number }];
      if (live >= maxLive) return null;
      const rows = (await tx.query(
        `INSERT INTO api_keys (user_id, name, prefix, key_hash, expires_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${COLUMNS}`,
        [key.userId, key.name, key.prefix, key.hash, key.expiresAt],
      )) as ApiKeyRow[];
      return toRecord(rows[0]!);
    });
  }

  /** The user's keys that are not revoked, newest first (at most API_KEYS_LISTED). */
  async list(userId: string): Promise<ApiKeyRecord[]> {
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id LIMIT $2`,
      [userId, API_KEYS_LISTED],
    )) as ApiKeyRow[];
    return rows.map(toRecord);
  }

  /** Revokes the user's key: `revoked`, `already` (it was), or `missing` (not theirs, or no such key). */
  async revoke(userId: string, id: string): Promise<'revoked' | 'already' | 'missing'> {
    if (!UUID.test(id)) return 'missing';
    const rows = (await this.db.query(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
        WHERE id = $1 AND user_id = $2
        RETURNING (revoked_at = now()) AS now_revoked`,
      [id, userId],
    )) as [{ now_revoked: boolean }[], number] | { now_revoked: boolean }[];
    const list = Array.isArray(rows[0])
      ? (rows[0] as { now_revoked: boolean }[])
      : (rows as { now_revoked: boolean }[]);
    if (list.length === 0) return 'missing';
    return list[0]!.now_revoked ? 'revoked' : 'already';
  }

  /**
   * The live key with this hash and its owner's email (for roles), or null; records the use
   * (`last_used_at`, written at most once a minute per key).
   */
  async use(hash: string): Promise<{ id: string; userId: string; email: string } | null> {
    const rows = (await this.db.query(
      `SELECT k.id, k.user_id, c.email FROM api_keys k JOIN credentials c ON c.user_id = k.user_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
      [hash],
    )) as { id: string; user_id: string; email: string }[];
    const found = rows[0];
    if (!found) return null;
    await this.db.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [found.id],
    );
    return { id: found.id, userId: found.user_id, email: found.email };
  }
}
