import { DataSource } from 'typeorm';
import { openDatabase } from '../src/db/datasource';
import { embeddedInfra } from '../src/infra';
import { createLogger } from '../src/log';
import { serveSubgraph, type RunningSubgraph } from '../src/subgraph';
import { describeWithService, freshDatabase, testTokens } from '../src/testing';

const log = createLogger('readiness-test');

/** A subgraph served as every service serves it (forum's SDL, no resolvers needed), on `db`. */
async function subgraphOn(db: DataSource): Promise<RunningSubgraph> {
  return serveSubgraph(
    {
      host: '127.0.0.1',
      port: 0,
      log,
      maxBodyBytes: 1_000_000,
      infra: embeddedInfra(),
      identify: (await testTokens()).identify,
    },
    { name: 'forum', db, resolvers: {}, context: (base) => base },
  );
}

const readyz = async (server: RunningSubgraph) => {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: await response.json() };
};
// The database is a required check: its state decides the answer, and the body says which failed.
const READY = { status: 200, body: { status: 'ready', checks: { database: { status: 'up', required: true } } } };
const NOT_READY = {
  status: 503,
  body: { status: 'not ready', checks: { database: { status: 'down', required: true } } },
};

describe('/readyz of a subgraph', () => {
  it('answers 503 once its database no longer answers (PGlite closed), while /healthz stays 200', async () => {
    const db = await openDatabase({ service: 'readiness', entities: [], migrations: [] });
    const server = await subgraphOn(db);
    try {
      expect(await readyz(server)).toMatchObject(READY);
      await db.destroy();
      expect(await readyz(server)).toMatchObject(NOT_READY);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describeWithService('DATABASE_URL', '/readyz of a subgraph on PostgreSQL', (serverUrl) => {
  it('answers 503 while its database refuses connections, and 200 again once it accepts them', async () => {
    const database = await freshDatabase(serverUrl);
    const name = new URL(database.url).pathname.slice(1);
    const admin = await new DataSource({ type: 'postgres', url: serverUrl }).initialize();
    const db = await openDatabase({ service: 'readiness', url: database.url, entities: [], migrations: [] });
    const server = await subgraphOn(db);
    try {
      expect(await readyz(server)).toMatchObject(READY);
      // The server goes away for this database: its sessions end and new ones are refused.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
      expect(await readyz(server)).toMatchObject(NOT_READY);
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      expect(await readyz(server)).toMatchObject(READY);
    } finally {
      await server.close();
      await db.destroy().catch(() => undefined);
      await admin.destroy();
      await database.drop();
    }
  });
});
