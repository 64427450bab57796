import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type MigrationInterface, type MixedList, type QueryRunner } from 'typeorm';
import { isUniqueViolation, openDatabase } from '../../db/datasource';

/**
 * Where one contract test keeps its tables: a database (PGlite folder, PostgreSQL schema)
 * that can be opened several times, seeing the same data, and is removed afterwards.
 */
export interface SqlPlace {
  open(migrations: MixedList<new () => unknown>): Promise<DataSource>;
  /** Closes what `open` opened and removes the data. */
  drop(): Promise<void>;
}

/**
 * PGlite in memory, or in a fresh temporary folder when it must be opened more than once
 * (slower: a new database on disk).
 */
export function pglitePlace({ reopenable }: { reopenable: boolean }, service = 'kit-test'): SqlPlace {
  const dataDir = reopenable ? mkdtempSync(join(tmpdir(), 'agora-pg-')) : undefined;
  const opened: DataSource[] = [];
  return {
    open: async (migrations) => {
      const db = await openDatabase({ service, dataDir, entities: [], migrations });
      opened.push(db);
      return db;
    },
    drop: async () => {
      await destroyAll(opened);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema in a PostgreSQL database. */
export function postgresPlace(url: string, service = 'kit-test'): SqlPlace {
  const schema = `test_${randomUUID().replaceAll('-', '')}`;
  const opened: DataSource[] = [];
  return {
    open: async (migrations) => {
      const db = await openDatabase({ service, url, schema, entities: [], migrations });
      opened.push(db);
      return db;
    },
    drop: async () => {
      await destroyAll(opened);
      const admin = await new DataSource({ type: 'postgres', url }).initialize();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}

async function destroyAll(sources: DataSource[]): Promise<void> {
  await Promise.all(sources.filter((db) => db.isInitialized).map((db) => db.destroy()));
}

class Counters1700000000001 implements MigrationInterface {
  name = 'Counters1700000000001';
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE counters (name text PRIMARY KEY, value int NOT NULL)`);
    await q.query(`INSERT INTO counters VALUES ('c', 0)`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE counters`);
  }
}

class Items1700000000002 implements MigrationInterface {
  name = 'Items1700000000002';
  async up(q: QueryRunner) {
    await q.query(`
      CREATE TABLE items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        data jsonb NOT NULL DEFAULT '{}'
      )`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE items`);
  }
}

const MIGRATIONS = [Counters1700000000001, Items1700000000002];

/**
 * The behaviour every SQL adapter (PGlite, PostgreSQL) must have, through TypeORM and the
 * raw SQL the stores write; run once per adapter.
 */
export function sqlContract(adapter: string, place: (options: { reopenable: boolean }) => SqlPlace): void {
  describe(`SQL contract: ${adapter}`, () => {
    let here: SqlPlace;
    let db: DataSource;
    beforeEach(async () => {
      here = place({ reopenable: false });
      db = await here.open(MIGRATIONS);
    });
    afterEach(() => here.drop());

    it('isolates concurrent transactions: 20 locked read-modify-write increments give 20', async () => {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const [row] = (await tx.query(`SELECT value FROM counters WHERE name = 'c' FOR UPDATE`)) as {
              value: number;
            }[];
            await new Promise((r) => setTimeout(r, 1));
            await tx.query(`UPDATE counters SET value = $1 WHERE name = 'c'`, [row!.value + 1]);
          }),
        ),
      );
      expect(await db.query(`SELECT value FROM counters`)).toEqual([{ value: 20 }]);
    });

    it('rolls a failed transaction back entirely, naming the violated constraint', async () => {
      const failed = await db
        .transaction(async (tx) => {
          await tx.query(`UPDATE counters SET value = 99`);
          await tx.query(`INSERT INTO counters VALUES ('c', 1)`);
        })
        .catch((error: unknown) => error);
      expect(isUniqueViolation(failed, 'counters_pkey')).toBe(true);
      expect(isUniqueViolation(failed, 'other_key')).toBe(false);
      expect(await db.query(`SELECT value FROM counters`)).toEqual([{ value: 0 }]);
    });

    it('keeps data across re-opening, and runs each migration once', async () => {
      const durable = place({ reopenable: true });
      try {
        const first = await durable.open(MIGRATIONS);
        await first.query(`UPDATE counters SET value = 7`);
        await first.destroy();
        const again = await durable.open(MIGRATIONS);
        expect(await again.query(`SELECT value FROM counters`)).toEqual([{ value: 7 }]);
        expect(await again.query(`SELECT name FROM migrations ORDER BY id`)).toEqual([
          { name: 'Counters1700000000001' },
          { name: 'Items1700000000002' },
        ]);
      } finally {
        await durable.drop();
      }
    });

    it('reports affected rows of UPDATE and DELETE', async () => {
      const updated = await db
        .createQueryBuilder()
        .update('counters')
        .set({ value: 5 })
        .where('name = :n', { n: 'c' })
        .execute();
      expect(updated.affected).toBe(1);
      const missed = await db
        .createQueryBuilder()
        .update('counters')
        .set({ value: 5 })
        .where('name = :n', { n: 'x' })
        .execute();
      expect(missed.affected).toBe(0);
      const deleted = await db.createQueryBuilder().delete().from('counters').execute();
      expect(deleted.affected).toBe(1);
    });

    it('returns the same JavaScript types for the same SQL types', async () => {
      const [row] = (await db.query(`
        SELECT 9007199254740991::bigint AS big, count(*) AS n, 2::int AS i, 1.50::numeric AS dec, 2.5::float8 AS f,
               true AS ok, '{"a":[1]}'::jsonb AS doc, ARRAY['a','b'] AS tags, NULL::text AS none,
               '\\x0102'::bytea AS bytes, '2026-01-02T03:04:05.678Z'::timestamptz AS at
        FROM counters`)) as Record<string, unknown>[];
      expect(row).toEqual({
        big: 9007199254740991,
        n: 1,
        i: 2,
        dec: '1.50',
        f: 2.5,
        ok: true,
        doc: { a: [1] },
        tags: ['a', 'b'],
        none: null,
        bytes: Buffer.from([1, 2]),
        at: new Date('2026-01-02T03:04:05.678Z'),
      });
    });

    it('round-trips millisecond timestamps exactly, as keyset cursors need', async () => {
      await db.query(`INSERT INTO items (data) VALUES ($1), ($2)`, [
        JSON.stringify({ n: 1 }),
        JSON.stringify({ n: 2 }),
      ]);
      const rows = (await db.query(`SELECT id, created_at, data FROM items ORDER BY created_at, id`)) as {
        id: string;
        created_at: Date;
        data: { n: number };
      }[];
      expect(rows).toHaveLength(2);
      const [first] = rows;
      const same = (await db.query(`SELECT id FROM items WHERE created_at = $1 AND id = $2`, [
        first!.created_at,
        first!.id,
      ])) as unknown[];
      expect(same).toEqual([{ id: first!.id }]);
      const after = (await db.query(`SELECT id FROM items WHERE (created_at, id) > ($1, $2) ORDER BY created_at, id`, [
        first!.created_at.toISOString(),
        first!.id,
      ])) as { id: string }[];
      expect(after.map((r) => r.id)).toEqual([rows[1]!.id]);
    });
  });
}
