import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { pgliteDriver } from './pglite';

export interface DatabaseOptions {
  /** Owning service; names the PGlite folder and the default PostgreSQL schema. */
  service: string;
  /** PostgreSQL URL; unset means embedded PGlite. */
  url?: string;
  /** PostgreSQL schema the service owns (default: the service name). */
  schema?: string;
  /** Embedded mode: folder for the PGlite data; undefined keeps it in memory. */
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
  let dataSource: DataSource;
  if (options.url) {
    dataSource = new DataSource({
      ...common,
      url: options.url,
      schema,
      // Raw SQL in stores and migrations is unqualified: search_path scopes it to the schema.
      extra: { max: 10, application_name: `agora-${options.service}`, options: `-c search_path="${schema}"` },
    });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } else {
    let dataDir: string | undefined;
    if (options.dataDir) {
      dataDir = join(options.dataDir, 'pg', options.service);
      mkdirSync(dataDir, { recursive: true });
    }
    dataSource = new DataSource({ ...common, driver: pgliteDriver(dataDir) });
    await dataSource.initialize();
  }
  // Migrations take an advisory lock in PostgreSQL, so replicas starting together are safe.
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/** PostgreSQL's unique_violation, raised by both pg and PGlite. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const name = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}
