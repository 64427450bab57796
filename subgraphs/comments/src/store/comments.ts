import { EntitySchema, type DataSource, type EntityManager } from 'typeorm';
import { notBlockedBy } from '@agora/kit/blocks';
import { sqlRows } from '@agora/kit/db/sql';
import { badInput, notFound } from '@agora/kit/errors';
import { isUuid } from '@agora/kit/ids';
import type { Outbox } from '@agora/kit/outbox';
import type { Cursor } from '@agora/kit/pagination';
import { eventually } from '@agora/kit/replica';
import { commentEvent, TOPICS } from '../events/topics';
import type { PostReplicaStore } from './posts';

/** A comment as stored; resolvers map it to the GraphQL Comment (codegen mapper). */
export interface CommentRecord {
  id: string;
  postId: string;
  authorId: string;
  parentId: string | null;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  /** Soft delete: a deleted comment leaves its post's comments and count. */
  deletedAt: Date | null;
}

/** A User as this service knows it: only its id (the users subgraph owns the rest). */
export interface UserRef {
  id: string;
}

export const CommentEntity = new EntitySchema<CommentRecord>({
  name: 'Comment',
  tableName: 'comments',
  columns: {
    id: { type: 'uuid', primary: true, default: () => 'gen_random_uuid()' },
    postId: { type: 'uuid', name: 'post_id' },
    authorId: { type: 'uuid', name: 'author_id' },
    parentId: { type: 'uuid', name: 'parent_id', nullable: true },
    body: { type: 'text' },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
    deletedAt: { type: 'timestamptz', name: 'deleted_at', nullable: true },
  },
});

/** The columns of `comments` (alias `c`) named as CommentRecord's fields. */
const RECORD = `c.id, c.post_id AS "postId", c.author_id AS "authorId", c.parent_id AS "parentId", c.body,
  c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.deleted_at AS "deletedAt"`;

/** A comment shows when neither it nor its post is deleted. */
const LIVE = `c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = c.post_id AND p.deleted)`;

/** Decides whether the viewer may change a comment; throws (FORBIDDEN) to refuse. */
export type Authorize = (comment: CommentRecord) => void;

export interface NewComment {
  postId: string;
  parentId: string | null;
  body: string;
}

export class CommentStore {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
    private readonly posts: PostReplicaStore,
  ) {}

  /**
   * Adds a comment, counts it on its post and emits comment.created, in one transaction.
   * The post may be only a moment old, its forum.posts event still on the way: waits
   * (bounded) for it before answering NOT_FOUND.
   */
  async add(comment: NewComment, authorId: string): Promise<CommentRecord> {
    if (!isUuid(comment.postId)) throw notFound(`No post with id ${comment.postId}`);
    if (comment.parentId !== null && !isUuid(comment.parentId)) {
      throw badInput('parentId must be a comment on the same post', 'parentId');
    }
    const known = await eventually(async () => (await this.posts.byIds([comment.postId]))[0]);
    if (!known) throw notFound(`No post with id ${comment.postId}`);
    return this.outbox.transaction(async (tx, emit) => {
      // The row lock on the post serialises concurrent adds, so the count stays exact.
      const counted = await sqlRows(
        tx,
        `UPDATE posts SET comment_count = comment_count + 1 WHERE id = $1 AND NOT deleted RETURNING id`,
        [comment.postId],
      );
      if (counted.length === 0) throw notFound(`No post with id ${comment.postId}`);
      if (comment.parentId !== null) {
        const [parent] = await sqlRows<{ postId: string }>(
          tx,
          `SELECT post_id AS "postId" FROM comments WHERE id = $1 AND deleted_at IS NULL`,
          [comment.parentId],
        );
        if (parent?.postId !== comment.postId) {
          throw badInput('parentId must be a comment on the same post', 'parentId');
        }
      }
      const [created] = await sqlRows<CommentRecord>(
        tx,
        `INSERT INTO comments AS c (post_id, author_id, parent_id, body) VALUES ($1, $2, $3, $4) RETURNING ${RECORD}`,
        [comment.postId, authorId, comment.parentId, comment.body],
      );
      emit(TOPICS.comments, commentEvent('comment.created', created!, authorId));
      return created!;
    });
  }

  /** Replaces the body of a live comment the viewer may edit, and emits comment.updated. */
  async update(id: string, body: string, authorize: Authorize, actorId: string): Promise<CommentRecord> {
    return this.outbox.transaction(async (tx, emit) => {
      authorize(await this.lockLive(tx, id));
      const [updated] = await sqlRows<CommentRecord>(
        tx,
        `UPDATE comments AS c SET body = $2, updated_at = date_trunc('milliseconds', now()) WHERE c.id = $1 RETURNING ${RECORD}`,
        [id, body],
      );
      emit(TOPICS.comments, commentEvent('comment.updated', updated!, actorId));
      return updated!;
    });
  }

  /** Soft-deletes a live comment the viewer may delete, uncounts it and emits comment.deleted. */
  async delete(id: string, authorize: Authorize, actorId: string): Promise<void> {
    await this.outbox.transaction(async (tx, emit) => {
      authorize(await this.lockLive(tx, id));
      const [deleted] = await sqlRows<CommentRecord>(
        tx,
        `UPDATE comments AS c SET deleted_at = date_trunc('milliseconds', now()) WHERE c.id = $1 RETURNING ${RECORD}`,
        [id],
      );
      await tx.query(`UPDATE posts SET comment_count = comment_count - 1 WHERE id = $1`, [deleted!.postId]);
      emit(TOPICS.comments, commentEvent('comment.deleted', deleted!, actorId));
    });
  }

  /**
   * Live comments by id; with a viewer, also hides the comments whose author, or whose
   * post's author, the viewer blocked (so `Comment.post` never leads to a hidden post).
   */
  async byIds(ids: readonly string[], viewerId: string | null): Promise<CommentRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db.query(
      `SELECT ${RECORD} FROM comments c WHERE c.id = ANY($1::uuid[]) AND ${LIVE}
          AND ${notBlockedBy('$2', 'c.author_id')}
          AND ${notBlockedBy('$2', '(SELECT p.author_id FROM posts p WHERE p.id = c.post_id)')}`,
      [valid, viewerId],
    );
  }

  /** Live comments per post whose author the viewer blocked (what their commentCount must not show them). */
  async hiddenCounts(viewerId: string, postIds: readonly string[]): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT c.post_id AS id, count(*)::int AS hidden FROM blocks b
         JOIN comments c ON c.author_id = b.blocked_id
        WHERE b.blocker_id = $1 AND c.post_id = ANY($2::uuid[]) AND c.deleted_at IS NULL
        GROUP BY c.post_id`,
      [viewerId, postIds.filter(isUuid)],
    )) as { id: string; hidden: number }[];
    return new Map(rows.map((row) => [row.id, row.hidden]));
  }

  /**
   * The first `limit` live comments (newest first, after `cursor`) of each live post,
   * hiding authors the viewer blocked: one query for every post, a LATERAL join reading each
   * post's first rows from its index.
   */
  async pages(postIds: string[], limit: number, cursor: Cursor | undefined, viewerId: string | null) {
    return this.db.query(
      `SELECT ${RECORD} FROM posts parent
       CROSS JOIN LATERAL (
         SELECT * FROM comments c
         WHERE c.post_id = parent.id AND c.deleted_at IS NULL
           AND ($3::timestamptz IS NULL OR (c.created_at, c.id) < ($3::timestamptz, $4::uuid))
           AND ${notBlockedBy('$5', 'c.author_id')}
         ORDER BY c.created_at DESC, c.id DESC
         LIMIT $2
       ) c
       WHERE parent.id = ANY($1::uuid[]) AND NOT parent.deleted
       ORDER BY c.created_at DESC, c.id DESC`,
      [postIds, limit, cursor?.at ?? null, cursor?.id ?? null, viewerId],
    ) as Promise<CommentRecord[]>;
  }

  private async lockLive(tx: EntityManager, id: string): Promise<CommentRecord> {
    if (!isUuid(id)) throw notFound(`No comment with id ${id}`);
    const [comment] = await sqlRows<CommentRecord>(
      tx,
      `SELECT ${RECORD} FROM comments c WHERE c.id = $1 AND ${LIVE} FOR UPDATE`,
      [id],
    );
    if (!comment) throw notFound(`No comment with id ${id}`);
    return comment;
  }
}
