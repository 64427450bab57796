import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Profiles1700000000000 implements MigrationInterface {
  name = 'Profiles1700000000000';

  async up(q: QueryRunner): Promise<void> {
    // The id is the account's (from auth's user.registered); the counts are kept in the
    // transaction that changes the edges, never recounted.
    await q.query(`
      CREATE TABLE profiles (
        id uuid PRIMARY KEY,
        handle text NOT NULL,
        display_name text NOT NULL,
        bio text NOT NULL DEFAULT '',
        follower_count integer NOT NULL DEFAULT 0,
        following_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT profiles_handle_unique UNIQUE (handle),
        CONSTRAINT profiles_handle_lower CHECK (handle = lower(handle)),
        CONSTRAINT profiles_counts_positive CHECK (follower_count >= 0 AND following_count >= 0)
      )`);
    // Millisecond precision (clock time, distinct within a transaction) so cursors name a row exactly.
    await q.query(`
      CREATE TABLE follows (
        follower_id uuid NOT NULL REFERENCES profiles (id),
        followee_id uuid NOT NULL REFERENCES profiles (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        PRIMARY KEY (follower_id, followee_id),
        CONSTRAINT follows_not_self CHECK (follower_id <> followee_id)
      )`);
    await q.query(`CREATE INDEX follows_followers ON follows (followee_id, created_at DESC, follower_id DESC)`);
    await q.query(`CREATE INDEX follows_following ON follows (follower_id, created_at DESC, followee_id DESC)`);
    await q.query(`
      CREATE TABLE blocks (
        blocker_id uuid NOT NULL REFERENCES profiles (id),
        blocked_id uuid NOT NULL REFERENCES profiles (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        PRIMARY KEY (blocker_id, blocked_id),
        CONSTRAINT blocks_not_self CHECK (blocker_id <> blocked_id)
      )`);
    await q.query(`CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE blocks`);
    await q.query(`DROP TABLE follows`);
    await q.query(`DROP TABLE profiles`);
  }
}
