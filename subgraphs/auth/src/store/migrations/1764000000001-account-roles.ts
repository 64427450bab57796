import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Roles granted to accounts by the server-side grant step (admin:grant); `user` is implied. */
export class AccountRoles1764000000001 implements MigrationInterface {
  name = 'AccountRoles1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_roles (
        user_id uuid NOT NULL REFERENCES credentials (user_id),
        role text NOT NULL CHECK (role IN ('admin')),
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, role)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_roles`);
  }
}
