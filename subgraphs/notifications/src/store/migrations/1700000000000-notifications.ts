import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1700000000000 implements MigrationInterface {
  name = 'Notifications1700000000000';

  async up(q: QueryRunner): Promise<void> {
    // When this service first started: events that happened before it only feed the
    // replicas (a first start that replays the topics notifies no one of old news).
    await q.query(`CREATE TABLE service_state (id int PRIMARY KEY CHECK (id = 1), born_at timestamptz NOT NULL)`);
    await q.query(`INSERT INTO service_state (id, born_at) VALUES (1, now())`);
    // Secrets this service signs with (the unsubscribe links' HMAC key), made on first start.
    await q.query(`CREATE TABLE secrets (name text PRIMARY KEY, value text NOT NULL)`);

    // Replicas kept from other services' events (this service never calls them).
    await q.query(`CREATE TABLE users (id uuid PRIMARY KEY, handle text NOT NULL, display_name text NOT NULL)`);
    await q.query(`
      CREATE TABLE posts (
        id uuid PRIMARY KEY,
        author_id uuid NOT NULL,
        title text NOT NULL DEFAULT '',
        deleted boolean NOT NULL DEFAULT false
      )`);
    await q.query(`
      CREATE TABLE comments (
        id uuid PRIMARY KEY,
        post_id uuid NOT NULL,
        author_id uuid NOT NULL,
        deleted boolean NOT NULL DEFAULT false
      )`);
    // E-mail addresses, from auth's auth.addresses events; never exposed by the API.
    await q.query(`
      CREATE TABLE addresses (
        user_id uuid PRIMARY KEY,
        email text NOT NULL,
        verified_at timestamptz,
        suppressed_at timestamptz,
        suppressed_reason text
      )`);

    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        recipient_id uuid NOT NULL,
        kind text NOT NULL,
        source_event_id uuid NOT NULL,
        actor_id uuid,
        post_id uuid,
        comment_id uuid,
        picture_id uuid,
        status text,
        summary text NOT NULL,
        excerpt text,
        path text NOT NULL,
        in_app boolean NOT NULL,
        read_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT notifications_one_per_recipient UNIQUE (recipient_id, source_event_id)
      )`);
    await q.query(
      `CREATE INDEX notifications_list ON notifications (recipient_id, created_at DESC, id DESC) WHERE in_app`,
    );
    await q.query(`CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE in_app AND read_at IS NULL`);

    // Per kind: { "REPLY": { "inApp": true, "email": true }, ... }; absent kinds take the defaults.
    await q.query(`
      CREATE TABLE settings (
        user_id uuid PRIMARY KEY,
        kinds jsonb NOT NULL DEFAULT '{}',
        daily_digest boolean NOT NULL DEFAULT false
      )`);

    // One e-mail to send: the notifications of one kind (or a digest, or a verification
    // link) collected while it is open; the worker sends it once `send_after` has passed.
    await q.query(`
      CREATE TABLE mail_batches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        recipient_id uuid NOT NULL,
        kind text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        send_after timestamptz NOT NULL,
        payload jsonb,
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        queued_at timestamptz,
        claimed_at timestamptz,
        sent_at timestamptz,
        CONSTRAINT mail_batches_status CHECK (status IN ('open', 'queued', 'sending', 'sent', 'failed', 'cancelled'))
      )`);
    // At most one open batch per recipient and kind: new notifications join it.
    await q.query(`CREATE UNIQUE INDEX mail_batches_open ON mail_batches (recipient_id, kind) WHERE status = 'open'`);
    await q.query(`CREATE INDEX mail_batches_due ON mail_batches (send_after) WHERE status = 'open'`);
    await q.query(`CREATE INDEX mail_batches_stale ON mail_batches (queued_at) WHERE status IN ('queued', 'sending')`);
    await q.query(`
      CREATE TABLE mail_batch_items (
        batch_id uuid NOT NULL REFERENCES mail_batches (id),
        notification_id uuid NOT NULL REFERENCES notifications (id),
        PRIMARY KEY (batch_id, notification_id)
      )`);
    // Every delivery attempt, with the SMTP server's answer (never the address).
    await q.query(`
      CREATE TABLE mail_attempts (
        id bigserial PRIMARY KEY,
        batch_id uuid NOT NULL REFERENCES mail_batches (id),
        attempt int NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        outcome text NOT NULL CHECK (outcome IN ('sent', 'failed')),
        permanent boolean NOT NULL DEFAULT false,
        response text
      )`);
    await q.query(`CREATE INDEX mail_attempts_batch ON mail_attempts (batch_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'mail_attempts',
      'mail_batch_items',
      'mail_batches',
      'settings',
      'notifications',
      'addresses',
      'comments',
      'posts',
      'users',
      'secrets',
      'service_state',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
