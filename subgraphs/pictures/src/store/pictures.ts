import type { DataSource } from 'typeorm';
import { sqlRows } from '@agora/kit/db/sql';
import { isUuid } from '@agora/kit/ids';
import type { Outbox } from '@agora/kit/outbox';
import { toConnection, type Connection, type Cursor } from '@agora/kit/pagination';
import { keysetCursor } from '@agora/kit/parent-pages';
import type { ImageType } from '../domain/image-type';
import type { PictureStatus } from '../domain/picture';
import { pictureEvent, TOPICS } from '../events/topics';

/** A picture as stored; resolvers map it to the GraphQL Picture (codegen mapper). */
export interface PictureRecord {
  id: string;
  ownerId: string;
  title: string;
  tags: string[];
  contentType: string;
  width: number;
  height: number;
  byteSize: number;
  sha256: string;
  status: PictureStatus;
  thumbnailSha256: string | null;
  thumbnailByteSize: number | null;
  createdAt: Date;
}

/** A user as the pictures subgraph knows one: only its id (the users subgraph owns the rest). */
export interface UserRef {
  id: string;
}

export interface NewPicture {
  id: string;
  ownerId: string;
  title: string;
  tags: string[];
  contentType: ImageType;
  width: number;
  height: number;
  byteSize: number;
  sha256: string;
}

/** How a thumbnail job ended. */
export type Outcome = { status: 'READY'; thumbnailSha256: string; thumbnailByteSize: number } | { status: 'FAILED' };

const COLUMNS = `id, owner_id AS "ownerId", title, tags, content_type AS "contentType", width, height,
  byte_size AS "byteSize", sha256, status, thumbnail_sha256 AS "thumbnailSha256",
  thumbnail_byte_size AS "thumbnailByteSize", created_at AS "createdAt"`;

const ORDER = `ORDER BY created_at DESC, id DESC`;

export const cursorOf = (p: PictureRecord): Cursor => ({ at: p.createdAt.toISOString(), id: p.id });

/** Picture rows and their events (through the outbox). Raw SQL, unqualified: the service's schema. */
export class PictureStore {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** Inserts the picture (PROCESSING) and its picture.uploaded event in one transaction. */
  async create(picture: NewPicture): Promise<PictureRecord> {
    return this.outbox.transaction(async (tx, emit) => {
      const [created] = await sqlRows<PictureRecord>(
        tx,
        `INSERT INTO pictures (id, owner_id, title, tags, content_type, width, height, byte_size, sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          picture.id,
          picture.ownerId,
          picture.title,
          picture.tags,
          picture.contentType,
          picture.width,
          picture.height,
          picture.byteSize,
          picture.sha256,
        ],
      );
      emit(TOPICS.pictures, pictureEvent('picture.uploaded', created!, picture.ownerId));
      return created!;
    });
  }

  async byIds(ids: readonly string[]): Promise<PictureRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return sqlRows(this.db.manager, `SELECT ${COLUMNS} FROM pictures WHERE id = ANY($1::uuid[])`, [valid]);
  }

  async byId(id: string): Promise<PictureRecord | null> {
    return (await this.byIds([id]))[0] ?? null;
  }

  /** Newest first, keyset-paginated on (created_at, id), optionally of one owner and/or with one tag. */
  async page(
    size: number,
    after: string | null | undefined,
    filter: { ownerId?: string; tag?: string },
  ): Promise<Connection<PictureRecord>> {
    const cursor = keysetCursor(after);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (filter.ownerId !== undefined) where.push(`owner_id = ${param(filter.ownerId)}`);
    if (filter.tag !== undefined) where.push(`tags @> ARRAY[${param(filter.tag)}]::text[]`);
    if (cursor) where.push(`(created_at, id) < (${param(cursor.at)}::timestamptz, ${param(cursor.id)}::uuid)`);
    const rows = await sqlRows<PictureRecord>(
      this.db.manager,
      `SELECT ${COLUMNS} FROM pictures ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ${ORDER} LIMIT ${param(size + 1)}`,
      params,
    );
    return toConnection(rows, size, cursorOf);
  }

  /** Up to `limit` newest pictures of each owner (after `cursor`), in one query (User.pictures). */
  async latestByOwners(ownerIds: string[], limit: number, cursor: Cursor | undefined): Promise<PictureRecord[]> {
    const after = cursor ? `AND (created_at, id) < ($3::timestamptz, $4::uuid)` : '';
    return sqlRows(
      this.db.manager,
      `SELECT ${COLUMNS} FROM (
         SELECT *, row_number() OVER (PARTITION BY owner_id ${ORDER}) AS rank
         FROM pictures WHERE owner_id = ANY($1::text[]) ${after}
       ) ranked WHERE rank <= $2 ${ORDER}`,
      cursor ? [ownerIds, limit, cursor.at, cursor.id] : [ownerIds, limit],
    );
  }

  /**
   * Ends processing (READY with its thumbnail, or FAILED) and emits picture.processed, once:
   * null when the picture is gone or no longer PROCESSING.
   */
  async finish(id: string, outcome: Outcome): Promise<PictureRecord | null> {
    return this.outbox.transaction(async (tx, emit) => {
      const [done] = await sqlRows<PictureRecord>(
        tx,
        `UPDATE pictures SET status = $2, thumbnail_sha256 = $3, thumbnail_byte_size = $4, processed_at = now()
         WHERE id = $1 AND status = 'PROCESSING' RETURNING ${COLUMNS}`,
        outcome.status === 'READY'
          ? [id, outcome.status, outcome.thumbnailSha256, outcome.thumbnailByteSize]
          : [id, outcome.status, null, null],
      );
      if (done) emit(TOPICS.pictures, pictureEvent('picture.processed', done));
      return done ?? null;
    });
  }

  /** Deletes the row and emits picture.deleted; null when there was no such picture. */
  async delete(id: string, actorId: string): Promise<PictureRecord | null> {
    if (!isUuid(id)) return null;
    return this.outbox.transaction(async (tx, emit) => {
      const [deleted] = await sqlRows<PictureRecord>(tx, `DELETE FROM pictures WHERE id = $1 RETURNING ${COLUMNS}`, [
        id,
      ]);
      if (deleted) emit(TOPICS.pictures, pictureEvent('picture.deleted', deleted, actorId));
      return deleted ?? null;
    });
  }

  /**
   * Marks pictures whose job could not be enqueued (the broker is away): the next sweep
   * claims them whatever its staleness bound.
   */
  async markUnqueued(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `UPDATE pictures SET enqueued_at = 'epoch' WHERE id = ANY($1::uuid[]) AND status = 'PROCESSING'`,
      [ids],
    );
  }

  /**
   * Claims up to `limit` pictures PROCESSING whose job was enqueued over `olderThanMs` ago,
   * marking them enqueued now (so concurrent sweepers of several replicas skip them).
   */
  async claimStale(olderThanMs: number, limit: number): Promise<string[]> {
    const rows = await sqlRows<{ id: string }>(
      this.db.manager,
      `UPDATE pictures SET enqueued_at = now() WHERE id IN (
         SELECT id FROM pictures
         WHERE status = 'PROCESSING' AND enqueued_at < now() - $1 * interval '1 millisecond'
         ORDER BY enqueued_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ) RETURNING id`,
      [olderThanMs, limit],
    );
    return rows.map((r) => r.id);
  }
}
