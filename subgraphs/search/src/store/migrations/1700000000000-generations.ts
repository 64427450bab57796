import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * pg_trgm (typo tolerance) and the index's generations. The searchable tables themselves
 * belong to a generation and are made by the service (store/generations.ts), so that a
 * rebuild can build the next generation beside the one serving and swap them.
 */
export class SearchGenerations1700000000000 implements MigrationInterface {
  name = 'SearchGenerations1700000000000';

  async up(q: QueryRunner): Promise<void> {
    // Extensions are per database: one installed by anybody, in any schema, is used as it is.
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);
    await q.query(`
      CREATE TABLE search_generations (
        generation int PRIMARY KEY,
        state text NOT NULL CHECK (state IN ('building', 'active', 'retired')),
        index_version int NOT NULL,
        consumer_group text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        activated_at timestamptz,
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX search_generations_one_active ON search_generations ((true)) WHERE state = 'active'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE search_generations`);
  }
}
