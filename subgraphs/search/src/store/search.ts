import type { DataSource } from 'typeorm';
import { notBlockedBy } from '@agora/kit/blocks';
import type { SearchType } from '../domain/document';
import { MARK_END, MARK_START } from '../domain/text';
import { EN, VIEWS, type Generations } from './generations';

/** A result row: the entity and its rank, with ts_headline's passage (marks as control characters). */
export interface Match {
  id: string;
  type: SearchType;
  score: number;
  headline: string;
}

export interface MatchPage {
  total: number;
  matches: Match[];
}

export interface MatchQuery {
  text: string;
  prefix: string | null;
  types: SearchType[] | null;
  tags: string[] | null;
  viewerId: string | null;
  after: { score: number; id: string } | null;
  /** Rows to return (a page and one more, to tell whether there is a next page). */
  limit: number;
}

/** Recency: a document this many seconds newer counts as e (≈2.7) times as relevant. */
const RECENCY_SECONDS = 60 * 24 * 3600;
/** Recency is counted from a fixed moment, so a document's score never changes with the clock (stable cursors). */
const EPOCH = `timestamptz '2025-01-01T00:00:00Z'`;

/**
 * The score: the log of the weighted relevance (title and names A = 1.0, tags B = 0.4,
 * text C = 0.2, the unstemmed title D = 0.1; divided by 1 + log of the document's length)
 * plus the document's age term.
 */
const SCORE = `(ln(greatest(ts_rank('{0.1, 0.2, 0.4, 1.0}', d.tsv, q.tsq, 1), 1e-6)::float8)
  + extract(epoch FROM d.created_at - ${EPOCH})::float8 / ${RECENCY_SECONDS})`;

/** Up to two passages of about 12–35 words around the matches, short words kept (names such as "Ada"). */
const HEADLINE_OPTIONS = [
  `StartSel=${MARK_START}`,
  `StopSel=${MARK_END}`,
  'MaxWords=35',
  'MinWords=12',
  'ShortWord=0',
  'MaxFragments=2',
  'FragmentDelimiter=" … "',
].join(', ');

/**
 * The query: web-search syntax; with a prefix (the last word while typed), that word is
 * replaced by a prefix match of its stem or of the word as typed (the unstemmed title
 * lexemes catch words whose stem is shorter than what was typed: "runni" finds "running").
 */
const TSQUERY = `
  SELECT CASE WHEN $2::text IS NULL THEN f.t ELSE coalesce((
      SELECT ts_rewrite(f.t, p.en, (querytree(p.en) || ':*')::tsquery || (querytree(p.raw) || ':*')::tsquery)
      FROM (SELECT websearch_to_tsquery(${EN}, $2::text) AS en, websearch_to_tsquery('simple', $2::text) AS raw) p
      WHERE numnode(p.en) = 1 AND numnode(p.raw) = 1), f.t) END AS tsq
  FROM (SELECT websearch_to_tsquery(${EN}, $1::text) AS t) f`;

export class SearchStore {
  constructor(
    private readonly db: DataSource,
    private readonly generations: Generations,
  ) {}

  /** One page of matches, best first, and how many there are in all; one statement against the active generation. */
  async matches(query: MatchQuery): Promise<MatchPage> {
    const rows = (await this.db.query(
      `WITH q AS (${TSQUERY}),
       m AS (
         SELECT d.id, d.type, ${SCORE} AS score
         FROM ${VIEWS.documents} d, q
         WHERE d.visible AND d.tsv @@ q.tsq
           AND ($3::text[] IS NULL OR d.type = ANY($3::text[]))
           AND ($4::text[] IS NULL OR d.tags @> $4::text[])
           AND ${notBlockedBy('$5', 'd.author_id')}
           -- A comment under a post the viewer cannot see (its author blocked) is hidden too.
           AND (d.post_id IS NULL OR NOT EXISTS (
             SELECT 1 FROM ${VIEWS.documents} parent
             WHERE parent.id = d.post_id AND NOT (${notBlockedBy('$5', 'parent.author_id')})))
       ),
       page AS (
         SELECT m.id, m.type, m.score FROM m
         WHERE $6::float8 IS NULL OR (m.score, m.id) < ($6::float8, $7::uuid)
         ORDER BY m.score DESC, m.id DESC
         LIMIT $8
       )
       SELECT c.total, h.id, h.type, h.score, h.headline
       FROM (SELECT count(*)::int AS total FROM m) c
       LEFT JOIN LATERAL (
         SELECT p.id, p.type, p.score,
           ts_headline(${EN},
             CASE WHEN d.body <> '' AND ts_filter(d.tsv, '{c}') @@ q.tsq THEN d.body ELSE d.title END,
             q.tsq, $9) AS headline
         FROM page p JOIN ${VIEWS.documents} d ON d.id = p.id CROSS JOIN q
       ) h ON true
       ORDER BY h.score DESC, h.id DESC`,
      [
        query.text,
        query.prefix,
        query.types,
        query.tags,
        query.viewerId,
        query.after?.score ?? null,
        query.after?.id ?? null,
        query.limit,
        HEADLINE_OPTIONS,
      ],
    )) as { total: number; id: string | null; type: SearchType; score: number; headline: string }[];
    return {
      total: Number(rows[0]?.total ?? 0),
      matches: rows
        .filter((row) => row.id !== null)
        .map((row) => ({ id: row.id!, type: row.type, score: Number(row.score), headline: row.headline })),
    };
  }

  /**
   * The closest word of the vocabulary (titles, names, tags) to each word, by trigram
   * similarity (at least pg_trgm's threshold, 0.3), the more common one on a tie.
   */
  async corrections(words: string[]): Promise<Map<string, string>> {
    if (words.length === 0) return new Map();
    const trgm = `"${this.generations.trgm}"`;
    const rows = (await this.db.query(
      `SELECT w.input, c.word FROM unnest($1::text[]) AS w(input)
       CROSS JOIN LATERAL (
         SELECT v.word FROM ${VIEWS.words} v
         WHERE v.word OPERATOR(${trgm}.%) w.input
         ORDER BY ${trgm}.similarity(v.word, w.input) DESC, v.ndoc DESC, v.word
         LIMIT 1
       ) c`,
      [words],
    )) as { input: string; word: string }[];
    return new Map(rows.map((row) => [row.input, row.word]));
  }

  /** Tags starting with `prefix`, most used first. */
  async tags(prefix: string, limit: number): Promise<{ tag: string; count: number }[]> {
    const pattern = prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
    const rows = (await this.db.query(
      `SELECT tag, ndoc AS count FROM ${VIEWS.tags} WHERE tag LIKE $1 ESCAPE '\\' AND ndoc > 0
       ORDER BY ndoc DESC, tag LIMIT $2`,
      [pattern, limit],
    )) as { tag: string; count: number }[];
    return rows.map((row) => ({ tag: row.tag, count: Number(row.count) }));
  }
}
