import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemoryEventLog } from '@agora/kit/events/memory';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { sleep, waitFor } from '@agora/kit/testing';
import { PROBES, Producers, seedWorld } from './events';
import { SearchUnderTest, type Results } from './harness';

const ROOT = resolve(__dirname, '../../..');

/** `npm run search:rebuild`'s script, as a separate process (its output and exit code). */
function rebuildScript(env: NodeJS.ProcessEnv, args: string[] = []) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  // Embedded unless told otherwise: not the devstack servers the test runner puts in the env.
  for (const key of ['NODE_OPTIONS', 'DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_URL', 'AMQP_URL', 'MONGO_URL']) {
    delete childEnv[key];
  }
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/search/src/rebuild.ts', ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  return { exited, output: () => output };
}

/** Every probe's full first page (up to 100 results) and the tag suggestions. */
async function snapshot(search: SearchUnderTest, people: string[]) {
  const results: Results[] = [];
  for (const probe of PROBES) {
    const viewer = probe.viewer === undefined ? undefined : people[probe.viewer];
    results.push(await search.search(probe.q, { types: probe.types, tags: probe.tags, first: 100, viewer }));
  }
  return { results, tags: await search.tags('', 50), prefixed: await search.tags('t', 10) };
}

describe('search:rebuild (embedded)', () => {
  let search: SearchUnderTest;
  let p: Producers;
  let people: string[];

  beforeAll(async () => {
    search = await SearchUnderTest.start({ settings: { dropAfterMs: 200 } });
    p = new Producers(search.events);
    ({ people } = await seedWorld(p, 2));
    await search.indexed(60_000);
  }, 120_000);
  afterAll(() => search?.close());

  it('builds a fresh index from the start of history that answers exactly as the live one, which serves meanwhile', async () => {
    const before = await snapshot(search, people);
    expect(before.results.filter((r) => r.totalCount > 0).length).toBeGreaterThan(PROBES.length - 3);
    expect(search.service.indexer.generation).toBe(1);

    const rebuildUrl = `${search.service.url}/rebuild`;
    const script = rebuildScript({ SEARCH_URL: search.service.url });
    // Searches keep answering, from the old index, while the new one is built.
    let answeredWhileBuilding = 0;
    let refusedSecond = false;
    const probe = PROBES[0]!;
    for (;;) {
      const status = (await (await fetch(rebuildUrl)).json()) as { state: string; generation?: number };
      if (status.state === 'running' && status.generation === 2) {
        const during = await search.search(probe.q, { first: 100 });
        expect(during).toEqual(before.results[0]);
        answeredWhileBuilding++;
        if (!refusedSecond) {
          const second = await fetch(rebuildUrl, { method: 'POST' });
          expect(second.status).toBe(409);
          refusedSecond = true;
        }
      }
      if (status.state === 'done' || status.state === 'failed') break;
      await sleep(100);
    }
    expect(await script.exited).toBe(0);
    expect(script.output()).toContain('generation 2 serves now (replaced 1)');
    expect(answeredWhileBuilding).toBeGreaterThan(0);
    expect(search.service.indexer.generation).toBe(2);

    expect(await snapshot(search, people)).toEqual(before);

    // The new generation's consumer is the live one now.
    const fresh = await p.post(people[5]!, { title: 'Written after the swap', body: 'zeppelin', tags: ['tech'] });
    await search.indexed();
    expect(await search.ids('zeppelin')).toEqual([fresh.id]);
    // And the replaced generation's tables are dropped.
    await waitFor('generation 1 dropped', async () => {
      const status = (await (await fetch(rebuildUrl)).json()) as {
        generations: { generation: number; state: string }[];
      };
      return JSON.stringify(status.generations) === JSON.stringify([{ generation: 2, state: 'active' }]);
    });
  }, 120_000);
});

describe('search:rebuild --offline on an embedded data folder (the event log persisted under DATA_DIR/events)', () => {
  it('replays the history from disk into a new generation that the next start serves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agora-search-rebuild-'));
    // A small memory window: most of the history is read back from the log's files.
    const open = (): Infra => ({
      ...embeddedInfra(),
      events: new MemoryEventLog({ dir: join(dataDir, 'events'), memoryWindow: 20 }),
    });
    let infra = open();
    let search = await SearchUnderTest.start({ infra, dataDir });
    const p = new Producers(search.events);
    const { people } = await seedWorld(p, 1);
    await search.indexed(60_000);
    const before = await snapshot(search, people);
    await search.close();
    await infra.close();

    const script = rebuildScript({ DATA_DIR: dataDir }, ['--offline']);
    expect(await script.exited).toBe(0);
    expect(script.output()).toContain('generation 2 serves now (replaced 1)');

    infra = open();
    search = await SearchUnderTest.start({ infra, dataDir });
    try {
      expect(search.service.indexer.generation).toBe(2);
      expect(await snapshot(search, people)).toEqual(before);
      const fresh = new Producers(search.events);
      const post = await fresh.post(people[1]!, { title: 'After the restart', body: 'dirigible' });
      await search.indexed();
      expect(await search.ids('dirigible')).toEqual([post.id]);
    } finally {
      await search.close();
      await infra.close();
    }
  }, 180_000);
});
