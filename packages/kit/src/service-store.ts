import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import { openDatabase } from './db/datasource';
import type { EventLog } from './events/port';
import type { Logger } from './log';
import { Outbox, outboxMigrations } from './outbox';

/** A service's own database with its outbox relay running. */
export interface ServiceStore {
  db: DataSource;
  outbox: Outbox;
  close(): Promise<void>;
}

/**
 * Opens the database a service owns (PGlite or PostgreSQL, per `databaseUrl`), runs the
 * outbox's migrations then the service's, and starts the relay to `events`. Every subgraph
 * and worker opens its store this way.
 */
export async function openServiceStore(
  host: { databaseUrl?: string; dataDir?: string; log: Logger; events: EventLog },
  options: { service: string; entities?: MixedList<EntitySchema>; migrations: MixedList<new () => unknown> },
): Promise<ServiceStore> {
  const db = await openDatabase({
    service: options.service,
    url: host.databaseUrl,
    dataDir: host.dataDir,
    entities: options.entities ?? [],
    migrations: [...outboxMigrations, ...(options.migrations as (new () => unknown)[])],
  });
  const outbox = new Outbox(db, host.events, host.log, { service: options.service });
  outbox.start();
  return {
    db,
    outbox,
    close: async () => {
      await outbox.stop();
      await db.destroy();
    },
  };
}
