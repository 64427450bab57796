import type { EntityManager } from 'typeorm';

/**
 * Runs raw SQL on a manager (a transaction's `tx`, or `db.manager`) and returns its rows
 * whatever the command: TypeORM's plain `query` reports UPDATE and DELETE as
 * `[rows, count]`, which makes `UPDATE … RETURNING` awkward to read.
 */
export async function sqlRows<T>(manager: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, params, true);
    return (result.records ?? []) as T[];
  } finally {
    if (runner !== manager.queryRunner) await runner.release();
  }
}
