import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Posts1700000000001 implements MigrationInterface {
  name = 'Posts1700000000001';

  async up(q: QueryRunner): Promise<void> {
    // Panels made before sign-in was required keep a NULL creator.
    await q.query(`ALTER TABLE panels ADD COLUMN created_by uuid`);
    await q.query(`ALTER TABLE panels ADD COLUMN post_count integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE posts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        panel_id uuid NOT NULL REFERENCES panels (id),
        author_id uuid NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        deleted_at timestamptz
      )`);
    // Lists read live posts per panel and per author, newest first.
    await q.query(
      `CREATE INDEX posts_panel_page ON posts (panel_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX posts_author_page ON posts (author_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE posts`);
    await q.query(`ALTER TABLE panels DROP COLUMN post_count`);
    await q.query(`ALTER TABLE panels DROP COLUMN created_by`);
  }
}
