import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
 * New databases start from one blank database made once per process, instead of each
 * running initdb: in memory (tests, throwaway stacks) as a clone of it, on disk (a first
 * `npm start`) from a dump of it. Either costs about a third of a fresh initdb.
 */
let template: Promise<PGlite> | undefined;
let templateDump: Promise<Blob> | undefined;
const blank = () => (template ??= PGlite.create(OPTIONS));

async function blankInMemory(): Promise<PGliteInterface> {
  return (await blank()).clone();
}

async function onDisk(dataDir: string): Promise<PGliteInterface> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return PGlite.create(dataDir, OPTIONS);
  templateDump ??= blank().then((db) => db.dumpDataDir('none'));
  return PGlite.create(dataDir, { ...OPTIONS, loadDataDir: await templateDump });
}

/**
 * A `pg`-shaped driver over one PGlite database, for TypeORM's postgres driver.
 *
 * PGlite is a single connection, so the pool hands it out exclusively: a query runner
 * holds it from connect() to release(), which keeps transactions of concurrent requests
 * from interleaving (the behaviour of a pg pool of size one). Each DataSource gets its own
 * PGlite instance, so several subgraphs can share one process and keep their own data.
 */
export function pgliteDriver(dataDir: string | undefined) {
  let db: Promise<PGliteInterface> | undefined;
  const open = () => (db ??= dataDir ? onDisk(dataDir) : blankInMemory());

  let queue: Promise<void> = Promise.resolve();

  class Client extends EventEmitter {
    async query(sql: string, params?: unknown[]) {
      const pg = await open();
      if (params && params.length > 0) return toPgResult(sql, await pg.query(sql, params));
      const results = await pg.exec(sql);
      return toPgResult(sql, results.at(-1) ?? { rows: [], fields: [] });
    }
  }

  class Pool extends EventEmitter {
    private readonly client = new Client();

    connect(callback: (err: Error | null, client?: Client, release?: (err?: unknown) => void) => void) {
      let release!: () => void;
      const turn = new Promise<void>((resolve) => (release = resolve));
      const previous = queue;
      queue = queue.then(() => turn);
      previous
        .then(open)
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
      const closing = db ? db.then((pg) => pg.close()) : Promise.resolve();
      db = undefined;
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
