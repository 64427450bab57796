import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Comments1700000000000 implements MigrationInterface {
  name = 'Comments1700000000000';

  async up(q: QueryRunner): Promise<void> {
    // The forum's posts as this service learns them from forum.posts, plus the
    // materialised comment count, kept in the same transaction as every comment write.
    await q.query(`
      CREATE TABLE posts (
        id uuid PRIMARY KEY,
        author_id uuid NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        comment_count integer NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE TABLE comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        post_id uuid NOT NULL REFERENCES posts (id),
        author_id uuid NOT NULL,
        parent_id uuid REFERENCES comments (id),
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        deleted_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX comments_post_page ON comments (post_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE comments`);
    await q.query(`DROP TABLE posts`);
  }
}
