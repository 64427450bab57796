import { EntitySchema, In, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { notBlockedBy } from '@agora/kit/blocks';
import { sqlRows } from '@agora/kit/db/sql';
import { notFound } from '@agora/kit/errors';
import { isUuid } from '@agora/kit/ids';
import type { Outbox } from '@agora/kit/outbox';
import type { Cursor } from '@agora/kit/pagination';
import type { PostContent } from '../domain/post';
import { postEvent, TOPICS } from '../events/topics';
import type { RecordCache } from './cache';
import type { PanelStore } from './panels';

/** A post as stored; resolvers map it to the GraphQL Post (codegen mapper). */
export interface PostRecord {
  id: string;
  panelId: string;
  authorId: string;
  title: string;
  body: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  /** Soft delete: a deleted post is kept but leaves every read, list and count. */
  deletedAt: Date | null;
}

/** A User as the forum knows it: only its id (the users subgraph owns the rest). */
export interface UserRef {
  id: string;
}

export const PostEntity = new EntitySchema<PostRecord>({
  name: 'Post',
  tableName: 'posts',
  columns: {
    id: { type: 'uuid', primary: true, default: () => 'gen_random_uuid()' },
    panelId: { type: 'uuid', name: 'panel_id' },
    authorId: { type: 'uuid', name: 'author_id' },
    title: { type: 'text' },
    body: { type: 'text' },
    tags: { type: 'text', array: true },
    createdAt: { type: 'timestamptz', name: 'created_at' },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
    deletedAt: { type: 'timestamptz', name: 'deleted_at', nullable: true },
  },
});

export const revivePost = (json: PostRecord): PostRecord => ({
  ...json,
  createdAt: new Date(json.createdAt),
  updatedAt: new Date(json.updatedAt),
  deletedAt: json.deletedAt === null ? null : new Date(json.deletedAt),
});

/** The columns of `posts` (alias `p`) named as PostRecord's fields. */
const RECORD = `p.id, p.panel_id AS "panelId", p.author_id AS "authorId", p.title, p.body, p.tags,
  p.created_at AS "createdAt", p.updated_at AS "updatedAt", p.deleted_at AS "deletedAt"`;

/** Lists of posts are per panel or per author. */
export type PostParent = 'panel' | 'author';
const PARENT_COLUMN: Record<PostParent, string> = { panel: 'panel_id', author: 'author_id' };

/** Decides whether the viewer may change a post; throws (FORBIDDEN) to refuse. */
export type Authorize = (post: PostRecord) => void;

export class PostStore {
  private readonly repo: Repository<PostRecord>;

  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
    private readonly cache: RecordCache<PostRecord>,
    private readonly panels: PanelStore,
  ) {
    this.repo = db.getRepository(PostEntity);
  }

  /** Inserts the post, counts it on its panel and emits post.created, in one transaction. */
  async create(panelId: string, authorId: string, content: PostContent): Promise<PostRecord> {
    if (!isUuid(panelId)) throw notFound(`No panel with id ${panelId}`);
    const post = await this.outbox.transaction(async (tx, emit) => {
      const panel = await sqlRows(tx, `UPDATE panels SET post_count = post_count + 1 WHERE id = $1 RETURNING id`, [
        panelId,
      ]);
      if (panel.length === 0) throw notFound(`No panel with id ${panelId}`);
      const [created] = await sqlRows<PostRecord>(
        tx,
        `INSERT INTO posts AS p (panel_id, author_id, title, body, tags) VALUES ($1, $2, $3, $4, $5) RETURNING ${RECORD}`,
        [panelId, authorId, content.title, content.body, content.tags],
      );
      emit(TOPICS.posts, postEvent('post.created', created!, authorId));
      return created!;
    });
    await this.panels.forget(panelId);
    return post;
  }

  /** Applies the changes to a live post the viewer may edit, and emits post.updated. */
  async update(id: string, changes: Partial<PostContent>, authorize: Authorize, actorId: string): Promise<PostRecord> {
    const post = await this.outbox.transaction(async (tx, emit) => {
      authorize(await this.lockLive(tx, id));
      const [updated] = await sqlRows<PostRecord>(
        tx,
        `UPDATE posts AS p SET title = coalesce($2, p.title), body = coalesce($3, p.body),
           tags = coalesce($4::text[], p.tags), updated_at = date_trunc('milliseconds', now())
         WHERE p.id = $1 RETURNING ${RECORD}`,
        [id, changes.title ?? null, changes.body ?? null, changes.tags ?? null],
      );
      emit(TOPICS.posts, postEvent('post.updated', updated!, actorId));
      return updated!;
    });
    await this.cache.forget(id);
    return post;
  }

  /** Soft-deletes a live post the viewer may delete, uncounts it and emits post.deleted. */
  async delete(id: string, authorize: Authorize, actorId: string): Promise<void> {
    const post = await this.outbox.transaction(async (tx, emit) => {
      authorize(await this.lockLive(tx, id));
      const [deleted] = await sqlRows<PostRecord>(
        tx,
        `UPDATE posts AS p SET deleted_at = date_trunc('milliseconds', now()) WHERE p.id = $1 RETURNING ${RECORD}`,
        [id],
      );
      await tx.query(`UPDATE panels SET post_count = post_count - 1 WHERE id = $1`, [deleted!.panelId]);
      emit(TOPICS.posts, postEvent('post.deleted', deleted!, actorId));
      return deleted!;
    });
    await Promise.all([this.cache.forget(id), this.panels.forget(post.panelId)]);
  }

  /** Posts by id through the cache, deleted ones included (callers drop them). */
  async byIds(ids: readonly string[]): Promise<PostRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.cache.byIds(valid, (missing) => this.repo.findBy({ id: In(missing) }));
  }

  /**
   * The first `limit` live posts (newest first, after `cursor`) of each panel or author,
   * hiding authors the viewer blocked: one query for every parent, a LATERAL join reading
   * each parent's first rows from its index.
   */
  async pages(
    parent: PostParent,
    parentIds: string[],
    limit: number,
    cursor: Cursor | undefined,
    viewerId: string | null,
  ): Promise<PostRecord[]> {
    const column = PARENT_COLUMN[parent];
    return this.db.query(
      `SELECT ${RECORD} FROM unnest($1::uuid[]) AS parent(id)
       CROSS JOIN LATERAL (
         SELECT * FROM posts p
         WHERE p.${column} = parent.id AND p.deleted_at IS NULL
           AND ($3::timestamptz IS NULL OR (p.created_at, p.id) < ($3::timestamptz, $4::uuid))
           AND ${notBlockedBy('$5', 'p.author_id')}
         ORDER BY p.created_at DESC, p.id DESC
         LIMIT $2
       ) p
       ORDER BY p.created_at DESC, p.id DESC`,
      [parentIds, limit, cursor?.at ?? null, cursor?.id ?? null, viewerId],
    );
  }

  /** Live posts per panel whose author the viewer blocked (what their postCount must not show them). */
  async hiddenCounts(viewerId: string, panelIds: readonly string[]): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT p.panel_id AS id, count(*)::int AS hidden FROM blocks b
         JOIN posts p ON p.author_id = b.blocked_id
        WHERE b.blocker_id = $1 AND p.panel_id = ANY($2::uuid[]) AND p.deleted_at IS NULL
        GROUP BY p.panel_id`,
      [viewerId, panelIds.filter(isUuid)],
    )) as { id: string; hidden: number }[];
    return new Map(rows.map((row) => [row.id, row.hidden]));
  }

  /** Which of these authors the viewer blocked. */
  async blockedAuthors(viewerId: string, authorIds: readonly string[]): Promise<Set<string>> {
    const rows = (await this.db.query(
      `SELECT blocked_id AS id FROM blocks WHERE blocker_id = $1 AND blocked_id = ANY($2::uuid[])`,
      [viewerId, authorIds],
    )) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }

  private async lockLive(tx: EntityManager, id: string): Promise<PostRecord> {
    if (!isUuid(id)) throw notFound(`No post with id ${id}`);
    const [post] = await sqlRows<PostRecord>(
      tx,
      `SELECT ${RECORD} FROM posts p WHERE p.id = $1 AND p.deleted_at IS NULL FOR UPDATE`,
      [id],
    );
    if (!post) throw notFound(`No post with id ${id}`);
    return post;
  }
}
