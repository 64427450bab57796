import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '@agora/kit/db/sql';
import { INDEX_VERSION, TS_CONFIG } from '../domain/document';

/**
 * The index is built in generations: each has its own tables (`search_documents_<n>`,
 * `search_words_<n>`, `search_tags_<n>`) filled by its own consumer group from the start of
 * the event history. Searches read the views `search_documents`, `search_words` and
 * `search_tags`, which point at the active generation; a rebuild fills the next one beside
 * it and swaps the views in one transaction, so readers see the old index or the new one,
 * never a mix.
 */
export const tablesOf = (generation: number) => {
  if (!Number.isInteger(generation) || generation < 1) throw new Error(`bad generation ${generation}`);
  return {
    documents: `search_documents_${generation}`,
    words: `search_words_${generation}`,
    tags: `search_tags_${generation}`,
  };
};

export const VIEWS = { documents: 'search_documents', words: 'search_words', tags: 'search_tags' } as const;

/**
 * A new generation's consumer group (also its idempotency key): unique to it, so a new index
 * always reads the history from its start, even where a database was dropped and made again
 * against the same event log (its old groups' offsets are never picked up).
 */
const newGroup = (generation: number) => `search.g${generation}.${randomUUID().slice(0, 8)}`;

export interface Generation {
  generation: number;
  state: 'building' | 'active' | 'retired';
  indexVersion: number;
  /** The consumer group that fills it. */
  group: string;
  heartbeatAt: Date;
}

/** A rebuild already running elsewhere (its heartbeat is recent). */
export class RebuildRunning extends Error {
  constructor(readonly generation: number) {
    super(`generation ${generation} is being built`);
  }
}

const LOCK = `hashtext('agora.search.generations')`;
const COLUMNS = `generation, state, index_version AS "indexVersion", consumer_group AS "group",
  heartbeat_at AS "heartbeatAt"`;

export class Generations {
  constructor(
    private readonly db: DataSource,
    /** The schema pg_trgm lives in (its functions, operators and operator classes). */
    readonly trgm: string,
  ) {}

  /** Where pg_trgm was installed (by the migration, or by anyone before). */
  static async open(db: DataSource): Promise<Generations> {
    const [row] = (await db.query(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
    )) as { schema: string }[];
    if (!row) throw new Error('pg_trgm is not installed in the search database');
    return new Generations(db, row.schema);
  }

  async active(): Promise<Generation | null> {
    const [row] = await sqlRows<Generation>(
      this.db.manager,
      `SELECT ${COLUMNS} FROM search_generations WHERE state = 'active'`,
    );
    return row ?? null;
  }

  async list(): Promise<Generation[]> {
    return sqlRows<Generation>(this.db.manager, `SELECT ${COLUMNS} FROM search_generations ORDER BY generation`);
  }

  /** The active generation, making the first one (empty, to be filled from the start of history) if there is none. */
  async ensureActive(): Promise<Generation> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      const [active] = await sqlRows<Generation>(
        tx,
        `SELECT ${COLUMNS} FROM search_generations WHERE state = 'active'`,
      );
      if (active) return active;
      const generation = await this.next(tx);
      await this.createTables(tx, generation);
      await tx.query(
        `INSERT INTO search_generations (generation, state, index_version, consumer_group, activated_at)
         VALUES ($1, 'active', $2, $3, now())`,
        [generation, INDEX_VERSION, newGroup(generation)],
      );
      await this.pointViewsAt(tx, generation);
      const [row] = await sqlRows<Generation>(tx, `SELECT ${COLUMNS} FROM search_generations WHERE generation = $1`, [
        generation,
      ]);
      return row!;
    });
  }

  /**
   * Starts a new generation for a rebuild. Refuses while another one is being built (its
   * heartbeat younger than `staleAfterMs`); drops abandoned ones and retired ones first.
   */
  async startBuilding(staleAfterMs: number): Promise<Generation> {
    const leftovers = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      const [running] = await sqlRows<{ generation: number }>(
        tx,
        `SELECT generation FROM search_generations
         WHERE state = 'building' AND heartbeat_at > now() - $1 * interval '1 millisecond'`,
        [staleAfterMs],
      );
      if (running) throw new RebuildRunning(running.generation);
      const old = await sqlRows<{ generation: number }>(
        tx,
        `UPDATE search_generations SET state = 'retired' WHERE state IN ('building', 'retired') RETURNING generation`,
      );
      const generation = await this.next(tx);
      const [created] = await sqlRows<Generation>(
        tx,
        `INSERT INTO search_generations (generation, state, index_version, consumer_group) VALUES ($1, 'building', $2, $3)
         RETURNING ${COLUMNS}`,
        [generation, INDEX_VERSION, newGroup(generation)],
      );
      return { created: created!, old: old.map((r) => r.generation) };
    });
    for (const generation of leftovers.old) await this.drop(generation);
    await this.db.transaction((tx) => this.createTables(tx, leftovers.created.generation));
    return leftovers.created;
  }

  async heartbeat(generation: number): Promise<void> {
    await this.db.query(`UPDATE search_generations SET heartbeat_at = now() WHERE generation = $1`, [generation]);
  }

  /** The swap: `generation` becomes the one searches read, in one transaction. Returns the one it replaces. */
  async activate(generation: number): Promise<number | null> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      const [previous] = await sqlRows<{ generation: number }>(
        tx,
        `UPDATE search_generations SET state = 'retired' WHERE state = 'active' RETURNING generation`,
      );
      const [activated] = await sqlRows<{ generation: number }>(
        tx,
        `UPDATE search_generations SET state = 'active', activated_at = now() WHERE generation = $1 AND state = 'building'
         RETURNING generation`,
        [generation],
      );
      if (!activated) throw new Error(`generation ${generation} is not being built`);
      await this.pointViewsAt(tx, generation);
      return previous?.generation ?? null;
    });
  }

  /** Removes a generation that is not active: its tables, its consumer's bookkeeping and its row. */
  async drop(generation: number): Promise<void> {
    const t = tablesOf(generation);
    await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      const [row] = await sqlRows<Generation>(tx, `SELECT ${COLUMNS} FROM search_generations WHERE generation = $1`, [
        generation,
      ]);
      if (row?.state === 'active') throw new Error(`generation ${generation} is active`);
      await tx.query(`DROP TABLE IF EXISTS ${t.documents}, ${t.words}, ${t.tags}`);
      if (row) await tx.query(`DELETE FROM processed_events WHERE consumer = $1`, [row.group]);
      await tx.query(`DELETE FROM search_generations WHERE generation = $1`, [generation]);
    });
  }

  private async next(tx: EntityManager): Promise<number> {
    const [row] = await sqlRows<{ next: number }>(
      tx,
      `SELECT coalesce(max(generation), 0) + 1 AS next FROM search_generations`,
    );
    return Number(row!.next);
  }

  private async createTables(tx: EntityManager, generation: number): Promise<void> {
    const t = tablesOf(generation);
    await tx.query(`
      CREATE TABLE ${t.documents} (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        author_id uuid NOT NULL,
        post_id uuid,
        title text NOT NULL,
        body text NOT NULL,
        tags text[] NOT NULL,
        status text,
        deleted boolean NOT NULL,
        visible boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        tsv tsvector NOT NULL
      )`);
    await tx.query(`CREATE INDEX ${t.documents}_tsv ON ${t.documents} USING gin (tsv) WHERE visible`);
    await tx.query(`CREATE INDEX ${t.documents}_tags ON ${t.documents} USING gin (tags) WHERE visible`);
    await tx.query(`CREATE INDEX ${t.documents}_post ON ${t.documents} (post_id) WHERE post_id IS NOT NULL`);
    await tx.query(`CREATE TABLE ${t.words} (word text PRIMARY KEY, ndoc int NOT NULL)`);
    await tx.query(`CREATE INDEX ${t.words}_trgm ON ${t.words} USING gin (word "${this.trgm}".gin_trgm_ops)`);
    await tx.query(`CREATE TABLE ${t.tags} (tag text PRIMARY KEY, ndoc int NOT NULL)`);
    await tx.query(`CREATE INDEX ${t.tags}_prefix ON ${t.tags} (tag text_pattern_ops)`);
  }

  private async pointViewsAt(tx: EntityManager, generation: number): Promise<void> {
    const t = tablesOf(generation);
    for (const [key, view] of Object.entries(VIEWS)) {
      await tx.query(`DROP VIEW IF EXISTS ${view}`);
      await tx.query(`CREATE VIEW ${view} AS SELECT * FROM ${t[key as keyof typeof VIEWS]}`);
    }
  }
}

/** Text search configurations, by name, as SQL literals. */
export const EN = `'${TS_CONFIG}'::regconfig`;
