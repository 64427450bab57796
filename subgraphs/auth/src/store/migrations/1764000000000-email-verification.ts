import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * E-mail verification: when an account's address was proven (the link of the verification
 * e-mail was opened), and the one-time tokens of those links (only their SHA-256 is kept).
 */
export class EmailVerification1764000000000 implements MigrationInterface {
  name = 'EmailVerification1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credentials ADD COLUMN email_verified_at timestamptz`);
    await q.query(`
      CREATE TABLE email_verifications (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES credentials (user_id),
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX email_verifications_user_id ON email_verifications (user_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_verifications`);
    await q.query(`ALTER TABLE credentials DROP COLUMN email_verified_at`);
  }
}
