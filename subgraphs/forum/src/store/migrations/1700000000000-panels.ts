import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Panels1700000000000 implements MigrationInterface {
  name = 'Panels1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE panels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        -- Millisecond precision, so a cursor (a JS Date) names a row exactly.
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT panels_slug_unique UNIQUE (slug)
      )`);
    await q.query(`CREATE INDEX panels_created_at_id ON panels (created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE panels`);
  }
}
