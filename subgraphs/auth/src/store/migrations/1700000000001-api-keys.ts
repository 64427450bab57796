import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeys1700000000001 implements MigrationInterface {
  name = 'ApiKeys1700000000001';

  async up(q: QueryRunner): Promise<void> {
    // Only the SHA-256 of a key is kept (a key is 256 random bits: a fast digest is enough);
    // prefix is its first characters, shown to tell keys apart.
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES credentials (user_id),
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        last_used_at timestamptz,
        expires_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_keys_key_hash_unique UNIQUE (key_hash)
      )`);
    await q.query(`CREATE INDEX api_keys_user_id ON api_keys (user_id, created_at DESC) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
