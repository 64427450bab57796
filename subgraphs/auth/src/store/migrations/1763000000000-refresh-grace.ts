import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RefreshGrace1763000000000 implements MigrationInterface {
  name = 'RefreshGrace1763000000000';

  async up(q: QueryRunner): Promise<void> {
    // The pair a token was traded for, sealed with a key only that token yields (see SessionStore):
    // presented again within the grace period, the token gets the same pair back.
    await q.query(`ALTER TABLE refresh_tokens ADD COLUMN successor_sealed text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_tokens DROP COLUMN successor_sealed`);
  }
}
