import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite, types, type PGliteInterface } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/**
 * pg_trgm ships with PGlite as a separate bundle: loading it makes `CREATE EXTENSION pg_trgm`
 * available (search's typo tolerance); a database that does not create it pays nothing more.
 */
const OPTIONS = {
  serializers: { [types.BOOL]: (v: unknown) => (v === true || v === 'true' ? 'TRUE' : 'FALSE') },
  extensions: { pg_trgm },
};

/**
 * New in-memory databases (tests, throwaway stacks) start from a dump of one blank database
 * instead of each running initdb (several seconds of CPU). The dump is made once per machine
 * and kept in the temp folder, one file per PGlite version, so every process (each test
 * worker, each restart) reuses it. On disk the process's services share one instance (below):
 * a new folder starts from the dump when there is one, else runs initdb once.
 */
const dumpFile = () => {
  const entry = require.resolve('@electric-sql/pglite');
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '../package.json'), 'utf8')) as { version: string };
  return join(tmpdir(), `agora-pglite-blank-${version}.tar`);
};
let templateDump: Promise<Blob> | undefined;
const blankDump = () => (templateDump ??= cachedBlankDump());

async function cachedBlankDump(): Promise<Blob> {
  const file = dumpFile();
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const dump = await (await PGlite.create(OPTIONS)).dumpDataDir('none');
  try {
    // Whole or not at all: another process may be writing the same file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } catch {
    // No cache (a read-only temp folder): the next process runs initdb again.
  }
  return dump;
}

async function blankInMemory(): Promise<PGliteInterface> {
  return PGlite.create({ ...OPTIONS, loadDataDir: await blankDump() });
}

async function onDisk(dataDir: string): Promise<PGliteInterface> {
  if (existsSync(join(dataDir, 'PG_VERSION')) || !existsSync(dumpFile())) return PGlite.create(dataDir, OPTIONS);
  return PGlite.create(dataDir, { ...OPTIONS, loadDataDir: await blankDump() });
}

/**
 * One PGlite database (a single connection) and the turn of whoever holds it. Services of
 * one process that keep their data in the same folder share it, each in a schema of its own
 * (as they share a PostgreSQL database): one WebAssembly instance instead of one each.
 */
interface Instance {
  db: Promise<PGliteInterface>;
  /** Resolves when the current holder releases the connection. */
  queue: Promise<void>;
  /** The schema the connection's search_path names now. */
  searchPath?: string;
  users: number;
}

const onDiskInstances = new Map<string, Instance>();

function instanceFor(dataDir: string | undefined): Instance {
  if (!dataDir) return { db: blankInMemory(), queue: Promise.resolve(), users: 0 };
  let instance = onDiskInstances.get(dataDir);
  if (!instance) {
    instance = { db: onDisk(dataDir), queue: Promise.resolve(), users: 0 };
    onDiskInstances.set(dataDir, instance);
  }
  return instance;
}

/**
 * A `pg`-shaped driver over a PGlite database, for TypeORM's postgres driver, scoped to
 * `schema`: the driver creates it and sets search_path to it whenever it takes the
 * connection, so raw SQL stays unqualified, as with PostgreSQL.
 *
 * PGlite is a single connection, so the pool hands it out exclusively: a query runner
 * holds it from connect() to release(), which keeps transactions of concurrent requests
 * (and of the services sharing the instance) from interleaving — the behaviour of a pg pool
 * of size one. `dataDir` set: the instance of that folder, shared by every driver of the
 * process opened on it; unset: an instance of its own, in memory.
 */
export function pgliteDriver(dataDir: string | undefined, schema: string) {
  let instance: Instance | undefined;
  const acquire = () => {
    if (!instance) {
      instance = instanceFor(dataDir);
      instance.users += 1;
    }
    return instance;
  };
  let prepared: Promise<void> | undefined;
  const prepare = (pg: PGliteInterface) =>
    (prepared ??= pg.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).then(() => undefined));

  class Client extends EventEmitter {
    async query(sql: string, params?: unknown[]) {
      const pg = await acquire().db;
      if (params && params.length > 0) return toPgResult(sql, await pg.query(sql, params));
      const results = await pg.exec(sql);
      return toPgResult(sql, results.at(-1) ?? { rows: [], fields: [] });
    }
  }

  class Pool extends EventEmitter {
    private readonly client = new Client();

    connect(callback: (err: Error | null, client?: Client, release?: (err?: unknown) => void) => void) {
      const shared = acquire();
      let release!: () => void;
      const turn = new Promise<void>((resolve) => (release = resolve));
      const previous = shared.queue;
      shared.queue = shared.queue.then(() => turn);
      previous
        .then(() => shared.db)
        .then(async (pg) => {
          await prepare(pg);
          if (shared.searchPath !== schema) {
            await pg.exec(`SET search_path TO "${schema}"`);
            shared.searchPath = schema;
          }
        })
        .then(() => callback(null, this.client, () => release()))
        .catch((error: Error) => {
          release();
          callback(error);
        });
    }

    /** Queries outside a query runner also wait for their turn on the connection. */
    query(sql: string, params?: unknown[]) {
      return new Promise((resolve, reject) => {
        this.connect((err, client, release) => {
          if (err || !client || !release) return reject(err);
          client.query(sql, params).then(
            (result) => (release(), resolve(result)),
            (error: unknown) => (release(), reject(error)),
          );
        });
      });
    }

    end(callback?: (err?: unknown) => void) {
      const current = instance;
      instance = undefined;
      if (!current) return void callback?.();
      current.users -= 1;
      let closing: Promise<void> = Promise.resolve();
      if (current.users === 0) {
        if (dataDir && onDiskInstances.get(dataDir) === current) onDiskInstances.delete(dataDir);
        // After whoever holds the connection now has released it.
        closing = current.queue.then(() => current.db).then((pg) => pg.close());
      }
      closing.then(() => callback?.(), callback);
    }
  }

  return { Pool };
}

interface PgliteResult {
  rows: unknown[];
  fields: unknown[];
  affectedRows?: number;
}

/** TypeORM reads `command` and `rowCount` to report affected rows of UPDATE/DELETE. */
function toPgResult(sql: string, result: PgliteResult) {
  const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  return {
    command,
    rows: result.rows,
    fields: result.fields,
    rowCount: result.affectedRows ?? result.rows.length,
  };
}
