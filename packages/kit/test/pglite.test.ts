import { describe, expect, it } from '@jest/globals';
import { pglitePlace, sqlContract } from '../src/testing';

sqlContract('pglite', (options) => pglitePlace(options));

describe('PGlite shared by the services of a process', () => {
  it('keeps each service in its own schema of one instance per data folder, serving the others after one closes', async () => {
    const { mkdtempSync, rmSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { openDatabase } = await import('../src/db/datasource');
    class Notes1700000000009 {
      name = 'Notes1700000000009';
      async up(q: { query(sql: string): Promise<unknown> }) {
        await q.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
      }
      async down() {}
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'agora-pg-shared-'));
    try {
      const [forum, comments] = await Promise.all(
        ['forum', 'comments'].map((service) =>
          openDatabase({ service, dataDir, entities: [], migrations: [Notes1700000000009] }),
        ),
      );
      // The same unqualified table name in each: two tables, one per schema.
      await forum!.query(`INSERT INTO notes VALUES (1, 'forum')`);
      await comments!.query(`INSERT INTO notes VALUES (1, 'comments')`);
      expect(await forum!.query('SELECT body FROM notes')).toEqual([{ body: 'forum' }]);
      expect(await comments!.query('SELECT body FROM notes')).toEqual([{ body: 'comments' }]);
      const [{ schemas }] = await forum!.query(
        `SELECT array_agg(nspname::text ORDER BY nspname) AS schemas FROM pg_namespace WHERE nspname IN ('forum', 'comments')`,
      );
      expect(schemas).toEqual(['comments', 'forum']);
      // Transactions of both interleave safely: each holds the one connection in turn.
      await Promise.all([
        forum!.transaction(async (tx) => {
          await tx.query(`UPDATE notes SET body = 'forum 2'`);
          expect(await tx.query('SELECT body FROM notes')).toEqual([{ body: 'forum 2' }]);
        }),
        comments!.transaction(async (tx) => {
          await tx.query(`UPDATE notes SET body = 'comments 2'`);
          expect(await tx.query('SELECT body FROM notes')).toEqual([{ body: 'comments 2' }]);
        }),
      ]);
      await forum!.destroy();
      // The other service still works after the first one closed.
      expect(await comments!.query('SELECT body FROM notes')).toEqual([{ body: 'comments 2' }]);
      await comments!.destroy();
      expect(readdirSync(join(dataDir, 'pg'))).toEqual(['agora']);
      // Reopened from disk: both schemas kept their data.
      const again = await openDatabase({ service: 'forum', dataDir, entities: [], migrations: [Notes1700000000009] });
      expect(await again.query('SELECT body FROM notes')).toEqual([{ body: 'forum 2' }]);
      await again.destroy();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('PGlite extensions', () => {
  it.each([false, true])('creates and uses pg_trgm (on disk: %s)', async (reopenable) => {
    const place = pglitePlace({ reopenable });
    try {
      const db = await place.open([]);
      await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      const [row] = (await db.query(
        `SELECT similarity('kubernetes', 'kubernetis') AS s, 'helo' % 'hello' AS close`,
      )) as {
        s: number;
        close: boolean;
      }[];
      expect(row!.s).toBeGreaterThan(0.5);
      expect(row!.close).toBe(true);
    } finally {
      await place.drop();
    }
  });
});
