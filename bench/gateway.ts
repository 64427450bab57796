/**
 * `npm run bench:gateway`: Agora's gateway against vanilla Apollo Gateway, Hive Gateway and
 * direct subgraph calls, every baseline in the same run, each gateway in a process of its own,
 * the load (autocannon) in another.
 *
 * Workloads:
 * - `agora-read`: Agora's federated read — a panel, its 50 posts with author, commentCount
 *   and 3 comments with their authors (forum, users, comments), anonymous;
 * - `single-subgraph`: a forum-only query, also sent straight to the forum subgraph (the
 *   limit for a single-subgraph query through any gateway);
 * - `fed-deep`: the public federation benchmark's four subgraphs and deep query, served from
 *   memory (fed-subgraphs.ts), so the gateway's own cost is isolated;
 * - `mixed`: 95% reads of a spread of panels, 5% writes (createPost, addComment, updatePost)
 *   through the same gateway, every read checked for staleness (load.ts).
 *
 * Modes (BENCH_MODE, default `embedded`; `distributed`, or `both`):
 * - embedded: every Agora subgraph in one process on PGlite (as `npm start` runs them);
 * - distributed: one process per subgraph on PostgreSQL (a database of its own, dropped at
 *   the end), Agora's gateway with the response cache in Redis (REDIS_URL).
 * Events go from process to process through the benchmark (relay.ts).
 *
 * Each target is warmed up, then the targets take turns for ROUNDS rounds of ROUND_SECONDS
 * at CONNECTIONS connections. CPU time is each process's own (process.cpuUsage), per request.
 * Results: bench/results/gateway-<mode>.json and .md. The machine is shared: compare the
 * ratios within one run, not absolute numbers across runs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@agora/kit/paths';
import { startChild, type Child, type Usage } from './gateway/child';
import { DEEP_QUERY } from './gateway/queries';
import type { FixedJob, LoadResult, MixedJob, MixedSeed, SeededPost } from './gateway/load';
import { writeResult } from './lib';

const ROUND_SECONDS = Number(process.env.ROUND_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const PANELS = Number(process.env.PANELS ?? 6);
const POSTS_PER_PANEL = 50;
const COMMENTS_PER_POST = 3;
const USERS = 20;
const WORKLOADS = (process.env.WORKLOADS ?? 'agora-read,single-subgraph,fed-deep,mixed').split(',');
/** Only these targets (e.g. for a CPU profile of one of them); default: all. */
const TARGETS = process.env.TARGETS?.split(',');

const AGORA_READ = `query PanelPage($id: ID!) { panel(id: $id) { id name postCount
  posts(first: 50) { edges { node { id title body createdAt author { id handle } commentCount
    comments(first: 3) { edges { node { id body createdAt author { id handle } } } } } } } } }`;
const SINGLE = '{ panels(first: 20) { edges { node { id slug name description postCount createdAt } } } }';

interface Target {
  name: string;
  url: string;
  gateway?: Child;
}

interface RoundResult extends LoadResult {
  round: number;
  gatewayCpuMsPerRequest?: number;
  subgraphCpuMsPerRequest: number;
  gatewayRssMb?: number;
  subgraphRssMb: number;
  subgraphRequestsPerOperation: number;
  sqlReadsPerOperation?: number;
  cache?: Record<string, number>;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function post<D>(url: string, query: string, variables: object, token?: string): Promise<D> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: D; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`${url}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}

const text = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => 'lorem ipsum dolor sit amet consectetur'.split(' ')[(seed + i) % 6]).join(' ');

/** Users, panels, posts and comments, written straight to the subgraphs (no gateway is measured). */
async function seed(urls: Record<string, string>): Promise<MixedSeed> {
  const started = Date.now();
  const run = Date.now().toString(36);
  const users = await pool(
    Array.from({ length: USERS }, (_, i) => i),
    4,
    async (i) => {
      const handle = `bench_${run}_${i}`.slice(0, 30);
      const data = await post<{ register: { accessToken: string } }>(
        urls.auth!,
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
        { input: { email: `${handle}@bench.example`, password: 'Correct-horse-battery-9', handle } },
      );
      return data.register.accessToken;
    },
  );
  const panels = await pool(
    Array.from({ length: PANELS }, (_, i) => i),
    4,
    async (i) => {
      const data = await post<{ createPanel: { id: string } }>(
        urls.forum!,
        'mutation($input: CreatePanelInput!) { createPanel(input: $input) { id } }',
        { input: { name: `Bench ${run} ${i}`, description: text(20, i) } },
        users[i % USERS],
      );
      return { id: data.createPanel.id, postCount: POSTS_PER_PANEL };
    },
  );
  const specs = panels.flatMap((panel) => Array.from({ length: POSTS_PER_PANEL }, (_, i) => ({ panel, i })));
  const posts: SeededPost[] = await pool(specs, 8, async ({ panel, i }) => {
    const token = users[i % USERS]!;
    const data = await post<{ createPost: { id: string } }>(
      urls.forum!,
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { panelId: panel.id, title: `T0 post ${i}`, body: text(64, i), tags: ['bench'] } },
      token,
    );
    return { id: data.createPost.id, panelId: panel.id, token, version: 0, comments: COMMENTS_PER_POST };
  });
  const comments = posts.flatMap((p) => Array.from({ length: COMMENTS_PER_POST }, (_, i) => ({ p, i })));
  await pool(comments, 8, ({ p, i }) =>
    post(
      urls.comments!,
      'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
      { input: { postId: p.id, body: text(10, i) } },
      users[(i + 3) % USERS],
    ),
  );
  log(
    `seeded ${USERS} users, ${PANELS} panels, ${posts.length} posts, ${comments.length} comments in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { panels, posts, tokens: users };
}

/** The supergraph with every routing URL pointing at the benchmark's subgraphs. */
function supergraphFor(urls: Record<string, string>): string {
  let sdl = readFileSync(join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8');
  for (const [name, url] of Object.entries(urls)) {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${url}$2`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'agora-bench-')), 'supergraph.graphql');
  writeFileSync(file, sdl);
  return file;
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { Client } = await import('pg');
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error('distributed mode needs DATABASE_URL (npm run devstack -- up) and REDIS_URL');
  const name = `agora_bench_${process.pid}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name}`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Waits until the subgraphs are idle (no request for a second): requests a previous run left
 * in flight must not be counted against the next one.
 */
async function settle(subgraphs: Child[]): Promise<void> {
  const requests = async () =>
    (await Promise.all(subgraphs.map((s) => s.usage()))).reduce(
      (n, u) => n + (u.counters.subgraphRequests ?? u.counters.requests ?? 0),
      0,
    );
  const deadline = Date.now() + 60_000;
  let last = await requests();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = await requests();
    if (now === last) return;
    last = now;
  }
}

const perRequest = (before: Usage, after: Usage, requests: number) =>
  Math.round(((after.cpuMs - before.cpuMs) / Math.max(1, requests)) * 100) / 100;

async function benchMode(mode: 'embedded' | 'distributed') {
  const children: Child[] = [];
  const started = async (child: Promise<Child>) => {
    const c = await child;
    children.push(c);
    return c;
  };
  let database: { url: string; drop(): Promise<void> } | undefined;
  try {
    // Events published in any process reach every other one.
    const relay = (from: Child) =>
      from.on('event', (message) => {
        if (message.type !== 'event') return;
        for (const to of children) {
          if (to !== from && to.process.connected)
            to.send({ type: 'event', topic: message.topic, events: message.event });
        }
      });

    const subgraphs: Child[] = [];
    let urls: Record<string, string> = {};
    if (mode === 'embedded') {
      const host = await started(startChild('subgraphs', 'agora-subgraphs.ts', { DATABASE_URL: undefined }));
      relay(host);
      subgraphs.push(host);
      urls = host.info.urls as Record<string, string>;
    } else {
      database = await createDatabase();
      const auth = await started(
        startChild('auth', 'agora-subgraphs.ts', { SERVICES: 'auth', DATABASE_URL: database.url }),
      );
      relay(auth);
      subgraphs.push(auth);
      urls = { ...(auth.info.urls as Record<string, string>) };
      const jwks = `${new URL(urls.auth!).origin}/.well-known/jwks.json`;
      for (const name of ['users', 'forum', 'pictures', 'comments']) {
        const child = await started(
          startChild(name, 'agora-subgraphs.ts', { SERVICES: name, DATABASE_URL: database.url, AUTH_JWKS_URL: jwks }),
        );
        relay(child);
        subgraphs.push(child);
        Object.assign(urls, child.info.urls);
      }
    }
    const jwksUrl = `${new URL(urls.auth!).origin}/.well-known/jwks.json`;
    // The public benchmark's workload alone needs no Agora data.
    const agoraWorkloads = WORKLOADS.some((w) => w !== 'fed-deep');
    const seeded = agoraWorkloads ? await seed(urls) : { panels: [{ id: '', postCount: 0 }], posts: [], tokens: [] };
    const readPanel = seeded.panels[0]!.id;

    const agoraSupergraph = supergraphFor(urls);
    const agoraEnv = (cache: boolean) => ({
      SUBGRAPH_URLS: JSON.stringify(urls),
      AUTH_JWKS_URL: jwksUrl,
      RESPONSE_CACHE: cache ? 'on' : 'off',
      REDIS_URL: mode === 'distributed' ? process.env.REDIS_URL : undefined,
      BENCH_DATABASE_URL: database?.url,
      DATABASE_URL: undefined,
    });
    const fed = await started(startChild('fed-subgraphs', 'fed-subgraphs.ts'));
    const fedSupergraph = fed.info.supergraph as string;
    const agoraGateways = agoraWorkloads
      ? {
          agora: await started(startChild('agora', 'agora-gateway.ts', agoraEnv(true))),
          'agora-nocache': await started(startChild('agora-nocache', 'agora-gateway.ts', agoraEnv(false))),
          apollo: await started(startChild('apollo', 'apollo-gateway.ts', { SUPERGRAPH_SDL_FILE: agoraSupergraph })),
          hive: await started(startChild('hive', 'hive-gateway.ts', { SUPERGRAPH_SDL_FILE: agoraSupergraph })),
        }
      : undefined;
    const gateways = {
      ...agoraGateways!,
      'agora-fed': await started(
        startChild('agora-fed', 'agora-gateway.ts', {
          SUBGRAPH_URLS: JSON.stringify(fed.info.urls),
          SUPERGRAPH_SDL_FILE: fedSupergraph,
          RESPONSE_CACHE: 'on',
          REDIS_URL: undefined,
          DATABASE_URL: undefined,
        }),
      ),
      'apollo-fed': await started(
        startChild('apollo-fed', 'apollo-gateway.ts', { SUPERGRAPH_SDL_FILE: fedSupergraph }),
      ),
      'hive-fed': await started(startChild('hive-fed', 'hive-gateway.ts', { SUPERGRAPH_SDL_FILE: fedSupergraph })),
    };
    for (const name of ['agora', 'agora-nocache', 'agora-fed'] as const) if (gateways[name]) relay(gateways[name]);
    const loader = await started(startChild('load', 'load.ts'));
    const target = (name: keyof typeof gateways): Target[] =>
      gateways[name] ? [{ name, url: gateways[name].info.url as string, gateway: gateways[name] }] : [];
    const rss: Record<string, number> = {};
    for (const child of children) rss[child.name] = (await child.usage()).rssMb;
    log(`${mode}: processes up; RSS before load (MB): ${JSON.stringify(rss)}`);

    const allWorkloads: {
      name: string;
      targets: Target[];
      job: (t: Target, seconds: number) => FixedJob | MixedJob;
      subgraphs: Child[];
    }[] = [
      {
        name: 'agora-read',
        targets: [...target('agora'), ...target('agora-nocache'), ...target('apollo'), ...target('hive')],
        job: (t, seconds) => ({
          kind: 'fixed',
          url: t.url,
          body: JSON.stringify({ query: AGORA_READ, variables: { id: readPanel } }),
          connections: CONNECTIONS,
          durationSec: seconds,
        }),
        subgraphs,
      },
      {
        name: 'single-subgraph',
        targets: [
          { name: 'direct', url: urls.forum! },
          ...target('agora'),
          ...target('agora-nocache'),
          ...target('apollo'),
          ...target('hive'),
        ],
        job: (t, seconds) => ({
          kind: 'fixed',
          url: t.url,
          body: JSON.stringify({ query: SINGLE }),
          connections: CONNECTIONS,
          durationSec: seconds,
        }),
        subgraphs,
      },
      {
        name: 'fed-deep',
        targets: [...target('agora-fed'), ...target('apollo-fed'), ...target('hive-fed')],
        job: (t, seconds) => ({
          kind: 'fixed',
          url: t.url,
          body: JSON.stringify({ query: DEEP_QUERY, operationName: 'TestQuery' }),
          connections: CONNECTIONS,
          durationSec: seconds,
        }),
        subgraphs: [fed],
      },
    ];
    let seedSent = false;
    allWorkloads.push({
      name: 'mixed',
      targets: [...target('agora'), ...target('apollo'), ...target('hive')],
      job: (t, seconds) => {
        const job: MixedJob = {
          kind: 'mixed',
          url: t.url,
          connections: CONNECTIONS,
          durationSec: seconds,
          writeShare: 0.05,
          readQuery: AGORA_READ,
          seed: seedSent ? undefined : seeded,
        };
        seedSent = true;
        return job;
      },
      subgraphs,
    });

    const results: Record<string, Record<string, RoundResult[]>> = {};
    for (const workload of allWorkloads.filter((w) => WORKLOADS.includes(w.name))) {
      results[workload.name] = {};
      // Warm-up: plans, caches, JIT, connection pools.
      workload.targets = workload.targets.filter((t) => !TARGETS || TARGETS.includes(t.name));
      for (const t of workload.targets) {
        await loader.ask<LoadResult>({ type: 'run', job: workload.job(t, WARMUP_SECONDS) }, 120_000);
      }
      for (let round = 1; round <= ROUNDS; round++) {
        for (const t of workload.targets) {
          await settle(workload.subgraphs);
          const before = await Promise.all([t.gateway?.usage(), ...workload.subgraphs.map((s) => s.usage())]);
          const load = await loader.ask<LoadResult>({ type: 'run', job: workload.job(t, ROUND_SECONDS) }, 120_000);
          const after = await Promise.all([t.gateway?.usage(), ...workload.subgraphs.map((s) => s.usage())]);
          const n = Math.max(1, load.requests);
          const sum = (list: (Usage | undefined)[], pickValue: (u: Usage) => number) =>
            list.slice(1).reduce((total, u) => total + pickValue(u!), 0);
          const counter = (name: string) =>
            (sum(after, (u) => u.counters[name] ?? 0) - sum(before, (u) => u.counters[name] ?? 0)) / n;
          const result: RoundResult = {
            round,
            ...load,
            gatewayCpuMsPerRequest: t.gateway ? perRequest(before[0]!, after[0]!, n) : undefined,
            subgraphCpuMsPerRequest:
              Math.round(((sum(after, (u) => u.cpuMs) - sum(before, (u) => u.cpuMs)) / n) * 100) / 100,
            gatewayRssMb: after[0]?.rssMb,
            subgraphRssMb: Math.round(sum(after, (u) => u.rssMb)),
            subgraphRequestsPerOperation:
              Math.round((workload.name === 'fed-deep' ? counter('requests') : counter('subgraphRequests')) * 100) /
              100,
            sqlReadsPerOperation:
              workload.name === 'fed-deep' ? undefined : Math.round(counter('sqlReads') * 100) / 100,
            cache:
              t.gateway && after[0]!.counters.hits !== undefined
                ? Object.fromEntries(
                    Object.entries(after[0]!.counters).map(([k, v]) => [k, v - (before[0]!.counters[k] ?? 0)]),
                  )
                : undefined,
          };
          (results[workload.name]![t.name] ??= []).push(result);
          log(
            `${mode} ${workload.name} round ${round} ${t.name.padEnd(14)} ${String(load.rps).padStart(8)} rps  p50 ${load.p50Ms} ms  p95 ${load.p95Ms} ms  p99 ${load.p99Ms} ms  errors ${load.errors}` +
              (load.errorExample ? `  first error: ${load.errorExample.slice(0, 300)}` : '') +
              (load.staleReads !== undefined ? `  stale ${load.staleReads}/${load.reads}` : '') +
              `  gw cpu ${result.gatewayCpuMsPerRequest ?? '-'} ms/req  subgraphs ${result.subgraphCpuMsPerRequest} ms/req  subgraph reqs/op ${result.subgraphRequestsPerOperation}` +
              (result.sqlReadsPerOperation !== undefined ? `  sql/op ${result.sqlReadsPerOperation}` : ''),
          );
        }
      }
    }
    const rssAfter: Record<string, number> = {};
    for (const child of children) rssAfter[child.name] = (await child.usage()).rssMb;
    return { results, rssBefore: rss, rssAfter };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await database?.drop();
  }
}

/** Mean of the rounds, and each Agora figure against each baseline's. */
function summarize(results: Record<string, Record<string, RoundResult[]>>) {
  const mean = (rounds: RoundResult[], pickValue: (r: RoundResult) => number | undefined) => {
    const values = rounds.map(pickValue).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return values.length === 0
      ? undefined
      : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
  };
  const summary: Record<string, Record<string, Record<string, number | undefined>>> = {};
  for (const [workload, byTarget] of Object.entries(results)) {
    summary[workload] = {};
    for (const [name, rounds] of Object.entries(byTarget)) {
      summary[workload]![name] = {
        rps: mean(rounds, (r) => r.rps),
        p50Ms: mean(rounds, (r) => r.p50Ms),
        p95Ms: mean(rounds, (r) => r.p95Ms),
        p99Ms: mean(rounds, (r) => r.p99Ms),
        errors: rounds.reduce((a, r) => a + r.errors, 0),
        staleReads: rounds.some((r) => r.staleReads !== undefined)
          ? rounds.reduce((a, r) => a + (r.staleReads ?? 0), 0)
          : undefined,
        gatewayCpuMsPerRequest: mean(rounds, (r) => r.gatewayCpuMsPerRequest),
        subgraphCpuMsPerRequest: mean(rounds, (r) => r.subgraphCpuMsPerRequest),
        gatewayRssMb: mean(rounds, (r) => r.gatewayRssMb),
        subgraphRequestsPerOperation: mean(rounds, (r) => r.subgraphRequestsPerOperation),
        sqlReadsPerOperation: mean(rounds, (r) => r.sqlReadsPerOperation),
        bytesPerResponse: mean(rounds, (r) => r.bytesPerResponse),
      };
    }
  }
  return summary;
}

function markdown(mode: string, summary: ReturnType<typeof summarize>): string {
  const lines = [`## ${mode}`, ''];
  for (const [workload, byTarget] of Object.entries(summary)) {
    lines.push(`### ${workload}`, '');
    lines.push(
      '| target | RPS | p50 ms | p95 ms | p99 ms | errors | stale | gateway CPU ms/req | subgraph CPU ms/req | gateway RSS MB | subgraph req/op | SQL reads/op |',
      '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    );
    for (const [name, s] of Object.entries(byTarget)) {
      const f = (v: number | undefined) => (v === undefined ? '–' : String(v));
      lines.push(
        `| ${name} | ${f(s.rps)} | ${f(s.p50Ms)} | ${f(s.p95Ms)} | ${f(s.p99Ms)} | ${f(s.errors)} | ${f(s.staleReads)} | ${f(s.gatewayCpuMsPerRequest)} | ${f(s.subgraphCpuMsPerRequest)} | ${f(s.gatewayRssMb)} | ${f(s.subgraphRequestsPerOperation)} | ${f(s.sqlReadsPerOperation)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

async function main() {
  const modes =
    process.env.BENCH_MODE === 'both' ? ['embedded', 'distributed'] : [process.env.BENCH_MODE ?? 'embedded'];
  for (const mode of modes as ('embedded' | 'distributed')[]) {
    const started = Date.now();
    const { results, rssBefore, rssAfter } = await benchMode(mode);
    const summary = summarize(results);
    const all = WORKLOADS.join(',') === 'agora-read,single-subgraph,fed-deep,mixed';
    const file = writeResult(all ? `gateway-${mode}` : `gateway-${mode}-${WORKLOADS.join('-')}`, {
      mode,
      date: new Date().toISOString(),
      node: process.version,
      settings: { ROUND_SECONDS, WARMUP_SECONDS, ROUNDS, CONNECTIONS, PANELS, POSTS_PER_PANEL, COMMENTS_PER_POST },
      seconds: Math.round((Date.now() - started) / 1000),
      summary,
      rssBefore,
      rssAfter,
      rounds: results,
    });
    const md = markdown(mode, summary);
    writeFileSync(file.replace(/\.json$/, '.md'), `${md}\n`);
    log(md);
    log(`written ${file}`);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
