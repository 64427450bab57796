import type { JWK } from 'jose';
import type { DataSource } from 'typeorm';

export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Serialises key creation between replicas starting together (pg advisory lock id). */
const KEY_CREATION_LOCK = 724_102;

const json = (value: JWK | string): JWK => (typeof value === 'string' ? (JSON.parse(value) as JWK) : value);

/**
 * Token signing keys, kept in the auth database so every replica signs with the same key
 * and a restart keeps tokens valid. The newest active key signs; rotating means adding a
 * newer key and later retiring the old one (it stays published while its tokens can live).
 */
export class SigningKeyStore {
  constructor(private readonly db: DataSource) {}

  /** The newest active key; when there is none yet, stores the one `create` makes. */
  async current(create: () => Promise<SigningKey>): Promise<SigningKey> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [KEY_CREATION_LOCK]);
      const rows = (await tx.query(
        `SELECT kid, private_jwk, public_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      )) as { kid: string; private_jwk: JWK | string; public_jwk: JWK | string }[];
      if (rows[0])
        return { kid: rows[0].kid, privateJwk: json(rows[0].private_jwk), publicJwk: json(rows[0].public_jwk) };
      const key = await create();
      await tx.query(`INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)`, [
        key.kid,
        JSON.stringify(key.privateJwk),
        JSON.stringify(key.publicJwk),
      ]);
      return key;
    });
  }

  /** Public keys that may have signed a live token: the active ones and those retired within `graceMs`. */
  async publicKeys(graceMs: number): Promise<JWK[]> {
    const rows = (await this.db.query(
      `SELECT public_jwk FROM signing_keys
        WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
        ORDER BY created_at DESC`,
      [graceMs / 1000],
    )) as { public_jwk: JWK | string }[];
    return rows.map((row) => json(row.public_jwk));
  }
}
