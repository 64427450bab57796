import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isUniqueViolation, openDatabase } from '../src/db/datasource';

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

const open = (dataDir?: string) =>
  openDatabase({ service: 'kit-test', dataDir, entities: [], migrations: [Counters1700000000001] });

describe('embedded PostgreSQL (PGlite through TypeORM)', () => {
  it('keeps concurrent transactions apart: 20 read-modify-write increments give 20', async () => {
    const db = await open();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const [row] = (await tx.query(`SELECT value FROM counters WHERE name = 'c'`)) as { value: number }[];
          await new Promise((r) => setTimeout(r, 1));
          await tx.query(`UPDATE counters SET value = $1 WHERE name = 'c'`, [row!.value + 1]);
        }),
      ),
    );
    expect(await db.query(`SELECT value FROM counters`)).toEqual([{ value: 20 }]);
    await db.destroy();
  });

  it('rolls a failed transaction back entirely', async () => {
    const db = await open();
    const failed = await db
      .transaction(async (tx) => {
        await tx.query(`UPDATE counters SET value = 99`);
        await tx.query(`INSERT INTO counters VALUES ('c', 1)`);
      })
      .catch((error: unknown) => error);
    expect(isUniqueViolation(failed, 'counters_pkey')).toBe(true);
    expect(await db.query(`SELECT value FROM counters`)).toEqual([{ value: 0 }]);
    await db.destroy();
  });

  it('keeps data in its folder across restarts, and runs each migration once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-pg-'));
    const first = await open(dir);
    await first.query(`UPDATE counters SET value = 7`);
    await first.destroy();
    const second = await open(dir);
    expect(await second.query(`SELECT value FROM counters`)).toEqual([{ value: 7 }]);
    expect(await second.query(`SELECT name FROM migrations`)).toEqual([{ name: 'Counters1700000000001' }]);
    await second.destroy();
  });

  it('reports affected rows of UPDATE and DELETE', async () => {
    const db = await open();
    const result = await db
      .createQueryBuilder()
      .update('counters')
      .set({ value: 5 })
      .where('name = :n', { n: 'c' })
      .execute();
    expect(result.affected).toBe(1);
    await db.destroy();
  });
});
