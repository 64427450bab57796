import type { EntityManager } from 'typeorm';
import { sqlRows } from '@agora/kit/db/sql';
import { contributionOf, countChanges, isVisible, type IndexDocument } from '../domain/document';
import { EN, tablesOf } from './generations';

interface Stored {
  visible: boolean;
  deleted: boolean;
  title: string;
  tags: string[];
  updatedAt: Date | string;
}

/**
 * Writes one generation of the index, inside the transaction that records the event as
 * processed. A document's row, its share of the typo vocabulary and of the tag counts
 * change together. Writes of one entity are ordered by `updatedAt` (an older state never
 * replaces a newer one) and a deletion is final, so events may arrive late, twice (each
 * applied once by the caller) or across topics in any order.
 */
export class IndexWriter {
  private readonly t: ReturnType<typeof tablesOf>;

  constructor(readonly generation: number) {
    this.t = tablesOf(generation);
  }

  /**
   * Stores `next` (a deletion when `next.deleted`); with `insertOnly`, only if the entity is
   * not known yet (a registration arriving after a profile edit).
   */
  async put(tx: EntityManager, next: IndexDocument, { insertOnly = false } = {}): Promise<void> {
    const { documents } = this.t;
    const [old] = await sqlRows<Stored>(
      tx,
      `SELECT visible, deleted, title, tags, updated_at AS "updatedAt" FROM ${documents} WHERE id = $1 FOR UPDATE`,
      [next.id],
    );
    if (old && (insertOnly || old.deleted || Date.parse(next.updatedAt) < new Date(old.updatedAt).getTime())) return;
    const postDeleted =
      next.type === 'COMMENT' && next.postId !== null
        ? (await sqlRows(tx, `SELECT 1 FROM ${documents} WHERE id = $1 AND deleted`, [next.postId])).length > 0
        : false;
    const visible = isVisible(next, postDeleted);
    // A deleted document keeps only what orders later events: its text leaves the index.
    const title = next.deleted ? '' : next.title;
    const body = next.deleted ? '' : next.body;
    const tags = next.deleted ? [] : next.tags;
    await tx.query(
      `INSERT INTO ${documents} AS d (id, type, author_id, post_id, title, body, tags, status, deleted, visible,
         created_at, updated_at, tsv)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
         setweight(to_tsvector(${EN}, $5), 'A') || setweight(to_tsvector(${EN}, array_to_string($7::text[], ' ')), 'B')
         || setweight(to_tsvector(${EN}, $6), 'C') || setweight(to_tsvector('simple', $5), 'D'))
       ON CONFLICT (id) DO UPDATE SET type = excluded.type, author_id = excluded.author_id, post_id = excluded.post_id,
         title = excluded.title, body = excluded.body, tags = excluded.tags, status = excluded.status,
         deleted = excluded.deleted, visible = excluded.visible, created_at = excluded.created_at,
         updated_at = excluded.updated_at, tsv = excluded.tsv`,
      [
        next.id,
        next.type,
        next.authorId,
        next.postId,
        title,
        body,
        tags,
        next.status,
        next.deleted,
        visible,
        next.createdAt,
        next.updatedAt,
      ],
    );
    const before = contributionOf(old?.visible ? old : null);
    const after = contributionOf(visible ? { title, tags } : null);
    await this.count(tx, this.t.words, 'word', countChanges(before.words, after.words));
    await this.count(tx, this.t.tags, 'tag', countChanges(before.tags, after.tags));
    // Comments leave with their post (they carry no words or tags of their own to uncount).
    if (next.type === 'POST' && next.deleted) {
      await tx.query(`UPDATE ${documents} SET visible = false WHERE post_id = $1 AND visible`, [next.id]);
    }
  }

  /**
   * Adds the deltas in key order (one statement), so concurrent writers lock shared rows in
   * the same order and cannot deadlock; rows counting nothing are removed.
   */
  private async count(
    tx: EntityManager,
    table: string,
    column: 'word' | 'tag',
    change: { keys: string[]; deltas: number[] },
  ): Promise<void> {
    if (change.keys.length === 0) return;
    await tx.query(
      `INSERT INTO ${table} AS t (${column}, ndoc)
       SELECT k, d FROM unnest($1::text[], $2::int[]) AS x(k, d) ORDER BY k
       ON CONFLICT (${column}) DO UPDATE SET ndoc = t.ndoc + excluded.ndoc`,
      [change.keys, change.deltas],
    );
    if (change.deltas.some((d) => d < 0)) {
      await tx.query(`DELETE FROM ${table} WHERE ${column} = ANY($1::text[]) AND ndoc <= 0`, [change.keys]);
    }
  }
}
