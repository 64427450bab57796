import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Pictures1700000000000 implements MigrationInterface {
  name = 'Pictures1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pictures (
        id uuid PRIMARY KEY,
        owner_id text NOT NULL,
        title text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        content_type text NOT NULL,
        width integer NOT NULL CHECK (width > 0),
        height integer NOT NULL CHECK (height > 0),
        byte_size integer NOT NULL CHECK (byte_size > 0),
        -- Hex SHA-256 of the original and of the thumbnail: their strong HTTP ETags.
        sha256 text NOT NULL,
        status text NOT NULL DEFAULT 'PROCESSING' CHECK (status IN ('PROCESSING', 'READY', 'FAILED')),
        thumbnail_sha256 text,
        thumbnail_byte_size integer,
        -- Millisecond precision, so a cursor (a JS Date) names a row exactly.
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        -- Last time a thumbnail job was enqueued: the sweeper re-enqueues stale PROCESSING pictures.
        enqueued_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT pictures_ready_has_thumbnail CHECK (status <> 'READY' OR thumbnail_sha256 IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX pictures_created_at_id ON pictures (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX pictures_owner_created_at_id ON pictures (owner_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX pictures_tags ON pictures USING gin (tags)`);
    await q.query(`CREATE INDEX pictures_processing ON pictures (enqueued_at) WHERE status = 'PROCESSING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pictures`);
  }
}
