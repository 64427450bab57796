import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1700000000000 implements MigrationInterface {
  name = 'Identity1700000000000';

  async up(q: QueryRunner): Promise<void> {
    // Email and handle are stored normalised (lower case), so plain unique constraints are case-insensitive.
    await q.query(`
      CREATE TABLE credentials (
        user_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        handle text NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT credentials_email_unique UNIQUE (email),
        CONSTRAINT credentials_handle_unique UNIQUE (handle),
        CONSTRAINT credentials_email_lower CHECK (email = lower(email)),
        CONSTRAINT credentials_handle_lower CHECK (handle = lower(handle))
      )`);
    // A session is one sign-in: the family of refresh tokens that descend from it.
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES credentials (user_id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await q.query(`CREATE INDEX sessions_user_id ON sessions (user_id)`);
    // Only the SHA-256 of a refresh token is kept; used_at marks a token already traded (rotation).
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash text PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id)`);
    await q.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        private_jwk jsonb NOT NULL,
        public_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        retired_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signing_keys`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE credentials`);
  }
}
