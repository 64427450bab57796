import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface DatabaseOptions {
  /** Owning service; names its default schema (PostgreSQL and PGlite alike). */
  service: string;
  /** PostgreSQL URL; unset means embedded PGlite. */
  url?: string;
  /** Schema the service owns (default: the service name). */
  schema?: string;
  /** Embedded mode: data folder (PGlite under pg/agora, shared by the process's services); undefined: in memory. */
  dataDir?: string;
  entities: MixedList<EntitySchema>;
  migrations: MixedList<new () => unknown>;
  logging?: boolean;
}

/**
 * One DataSource per service. Both modes run the same migrations (never synchronize),
 * so the embedded schema is the production schema. With PostgreSQL, each service keeps
 * its tables in its own schema so several services can share one database.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const schema = options.schema ?? options.service;
  const common = {
    type: 'postgres' as const,
    entities: options.entities,
    migrations: options.migrations as MixedList<string | (new () => never)>,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: options.logging ?? false,
  };
  if (options.url) {
    const dataSource = new DataSource({
      ...common,
      url: options.url,
      schema,
      // bigint and count(*) as numbers, as PGlite returns them: both adapters answer the same types.
      parseInt8: true,
      // Raw SQL in stores and migrations is unqualified: search_path scopes it to the schema.
      extra: { max: 10, application_name: `agora-${options.service}`, options: `-c search_path="${schema}"` },
    });
    await dataSource.initialize();
    // Replicas starting together would race on CREATE SCHEMA and on the migrations (TypeORM
    // takes no lock): the first to hold this lock migrates, the others then find nothing to do.
    await withAdvisoryLock(dataSource, `migrations:${schema}`, async () => {
      await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await dataSource.runMigrations({ transaction: 'each' });
    });
    return dataSource;
  }
  // Embedded: every service of the process on one PGlite instance per data folder, each in
  // its own schema (.data/pg/agora), as they share a PostgreSQL database.
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = join(options.dataDir, 'pg', 'agora');
    mkdirSync(dataDir, { recursive: true });
  }
  // Loaded only in embedded mode: a PostgreSQL service never loads PGlite's WebAssembly.
  const { pgliteDriver } = await import('./pglite');
  const dataSource = new DataSource({ ...common, schema, driver: pgliteDriver(dataDir, schema) });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/** Runs `work` while holding a PostgreSQL session advisory lock named `key`. */
async function withAdvisoryLock(dataSource: DataSource, key: string, work: () => Promise<void>): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('agora'), hashtext($1))`, [key]);
    try {
      await work();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext('agora'), hashtext($1))`, [key]);
    }
  } finally {
    await runner.release();
  }
}

/** PostgreSQL's unique_violation, raised by both pg and PGlite. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const name = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}
