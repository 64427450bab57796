import { randomUUID } from 'node:crypto';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { openDatabase } from '../src/db/datasource';
import { describeWithService } from '../src/testing';

class Notes1700000000003 implements MigrationInterface {
  name = 'Notes1700000000003';
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE notes (id text PRIMARY KEY)`);
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE notes`);
  }
}

describeWithService('DATABASE_URL', 'openDatabase on PostgreSQL', (url) => {
  const schema = `replicas_${randomUUID().replaceAll('-', '')}`;
  const open = () =>
    openDatabase({ service: 'replicas-test', schema, url, entities: [], migrations: [Notes1700000000003] });
  const opened: DataSource[] = [];

  afterAll(async () => {
    await opened[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await Promise.all(opened.map((db) => db.destroy()));
  });

  it('lets replicas start together on a fresh schema: one migrates, all come up', async () => {
    const results = await Promise.allSettled([open(), open(), open()]);
    for (const result of results) if (result.status === 'fulfilled') opened.push(result.value);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const [first] = opened;
    expect(await first!.query(`SELECT name FROM migrations`)).toEqual([{ name: 'Notes1700000000003' }]);
    for (const db of opened) {
      await db.query(`INSERT INTO notes (id) VALUES ($1)`, [randomUUID()]);
    }
    expect(await first!.query(`SELECT count(*)::int AS n FROM "${schema}".notes`)).toEqual([{ n: 3 }]);
  });
});
