/**
 * Agora's subgraphs for `bench/gateway.ts`: SERVICES (default: every registered one) in this
 * process, each on a port of its own, on PGlite on disk (embedded, as `npm start`) or on DATABASE_URL
 * (PostgreSQL, a schema per service). Counts the HTTP requests each subgraph receives and
 * the SQL statements run (reads: outside transactions; the outbox relays and event consumers
 * work in transactions), and relays its events to the benchmark (see relay.ts).
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { loadServices } from '@agora/embedded/services';
import { remoteKeys, tokenIdentifier, type Identify } from '@agora/kit/auth';
import { MemoryCache } from '@agora/kit/cache/memory';
import { MemoryDocumentStore } from '@agora/kit/documents/memory';
import { MemoryJobQueue } from '@agora/kit/jobs/memory';
import { createLogger } from '@agora/kit/log';
import { MemoryNotices } from '@agora/kit/notices/memory';
import type { Infra } from '@agora/kit/infra';
import { failChild, serveChild } from './child';
import { RelayedEventLog } from './relay';

const counters = { sqlReads: 0, sqlInTransactions: 0, subgraphRequests: 0 };
const requestsByPort = new Map<number, number>();
subscribe('http.server.request.start', (message) => {
  const { port } = (message as { server: Server }).server.address() as AddressInfo;
  requestsByPort.set(port, (requestsByPort.get(port) ?? 0) + 1);
  counters.subgraphRequests += 1;
});
const original = PostgresQueryRunner.prototype.query;
PostgresQueryRunner.prototype.query = function (this: PostgresQueryRunner, ...args: Parameters<typeof original>) {
  if (this.isTransactionActive) counters.sqlInTransactions += 1;
  else counters.sqlReads += 1;
  return original.apply(this, args);
} as typeof original;

async function main() {
  const wanted = process.env.SERVICES?.split(',');
  const jwksUrl = process.env.AUTH_JWKS_URL;
  const infra: Infra = {
    cache: new MemoryCache(),
    events: new RelayedEventLog(),
    jobs: new MemoryJobQueue(),
    documents: new MemoryDocumentStore(),
    notices: new MemoryNotices(),
    close: async () => undefined,
  };
  let verify: Identify | undefined;
  let localJwks: string | undefined = jwksUrl;
  const identify: Identify = async (authorization) => {
    if (!authorization) return null;
    if (!localJwks) throw new Error('no auth service to verify access tokens');
    verify ??= tokenIdentifier(remoteKeys(localJwks));
    return verify(authorization);
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'agora-bench-data-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const definitions = (await loadServices()).filter((d) => !wanted || wanted.includes(d.name));
  const services = [];
  // One after another: opening databases is CPU-bound, and this keeps start-up comparable.
  for (const definition of definitions) {
    services.push(
      await definition.start({
        host: '127.0.0.1',
        port: 0,
        log: createLogger(definition.name),
        maxBodyBytes: 15 * 1024 * 1024,
        databaseUrl: process.env.DATABASE_URL,
        // As `npm start`: PGlite on disk, one instance shared by the services of this process.
        dataDir: process.env.DATABASE_URL ? undefined : dataDir,
        infra,
        identify,
      }),
    );
  }
  const auth = services.find((s) => s.name === 'auth');
  if (auth) localJwks = `${auth.url}/.well-known/jwks.json`;
  const ports = Object.fromEntries(services.map((s) => [Number(new URL(s.url).port), s.name]));
  serveChild({ urls: Object.fromEntries(services.map((s) => [s.name, s.graphqlUrl])) }, () => {
    const byService: Record<string, number> = {};
    for (const [port, count] of requestsByPort) byService[`requests.${ports[port] ?? port}`] = count;
    return { ...counters, ...byService };
  });
}

main().catch(failChild);
