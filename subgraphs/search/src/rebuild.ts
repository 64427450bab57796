/**
 * `npm run search:rebuild`: builds a fresh search index from the start of the event history
 * and swaps it in atomically; the old index keeps answering until then.
 *
 * It asks the running search service (`SEARCH_URL`, default http://127.0.0.1:4006, or
 * PORT_SEARCH's port) to do it — in embedded mode (`npm start`) the service replays the event
 * log kept under DATA_DIR/events, in distributed mode Kafka's topics — and prints its progress
 * until the new index serves. Exit code 0 once swapped, 1 if it failed or nobody answers.
 *
 * `npm run search:rebuild -- --offline` does it without a running service, on the data the
 * env names (DATA_DIR's PGlite and event log, or DATABASE_URL and KAFKA_BROKERS): never while
 * an embedded stack uses the same DATA_DIR.
 */
import { z } from 'zod';
import { embeddedInfra, createInfra } from '@agora/kit/infra';
import { commonEnv, loadConfig, port } from '@agora/kit/config';
import { createLogger } from '@agora/kit/log';
import { sleep } from '@agora/kit/time';
import type { RebuildStatus } from './events/indexer';
import { startSearch } from './service';

const config = loadConfig(
  z.object({
    ...commonEnv,
    PORT_SEARCH: port(4006),
    SEARCH_URL: z.string().url().optional(),
  }),
);
const say = (line: string) => process.stdout.write(`${line}\n`);
const describe = (s: RebuildStatus) =>
  s.state === 'running'
    ? `generation ${s.generation}: ${s.backlog ?? '?'} events of history left to index`
    : s.state === 'done'
      ? `generation ${s.generation} serves now${s.replaced ? ` (replaced ${s.replaced})` : ''}`
      : `${s.state}${s.error ? `: ${s.error}` : ''}`;

async function online(base: string): Promise<boolean> {
  const url = `${base.replace(/\/+$/, '')}/rebuild`;
  let started: Response;
  try {
    started = await fetch(url, { method: 'POST' });
  } catch {
    say(`No search service answers at ${base}: start Agora (npm start / npm run start:distributed),`);
    say('set SEARCH_URL to the search service, or run `npm run search:rebuild -- --offline`.');
    return false;
  }
  const body = (await started.json()) as RebuildStatus & { error?: string };
  if (started.status !== 202) {
    say(`The search service refused (${started.status}): ${body.error ?? JSON.stringify(body)}`);
    return false;
  }
  say(`rebuilding: ${describe(body)}`);
  for (;;) {
    await sleep(500);
    const status = (await (await fetch(url)).json()) as RebuildStatus;
    if (status.generation !== body.generation) continue;
    say(`  ${describe(status)}`);
    if (status.state === 'done') return true;
    if (status.state === 'failed') return false;
  }
}

async function offline(): Promise<boolean> {
  const log = createLogger('search-rebuild');
  const distributed = Boolean(config.DATABASE_URL);
  const infra = distributed
    ? await createInfra(process.env, { dataDir: config.DATA_DIR, service: 'search', log })
    : embeddedInfra(config.DATA_DIR);
  const search = await startSearch({
    host: '127.0.0.1',
    port: 0,
    log,
    maxBodyBytes: config.MAX_BODY_BYTES,
    databaseUrl: config.DATABASE_URL,
    dataDir: distributed ? undefined : config.DATA_DIR,
    infra,
    identify: () => Promise.resolve(null),
  });
  try {
    say(`rebuilding offline: ${describe(await search.indexer.rebuild())}`);
    const status = await search.indexer.settled();
    say(`  ${describe(status)}`);
    return status.state === 'done';
  } finally {
    await search.close();
    await infra.close();
  }
}

const run = process.argv.includes('--offline')
  ? offline()
  : online(config.SEARCH_URL ?? `http://127.0.0.1:${config.PORT_SEARCH}`);
run.then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`search:rebuild: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
