/**
 * `npm run bench:attacks`: how fast the gateway refuses issue 14's attacks (acceptance 3:
 * "refused before any subgraph is called, on HTTP, WebSocket and SSE, in under 50 ms each").
 *
 * One embedded stack in this process (every subgraph on PGlite, the gateway), then for each
 * transport — HTTP POST, graphql-ws over one open socket, graphql-sse "distinct connections"
 * POST with `accept: text/event-stream` — and each attack of apps/embedded/test/limits.test.ts
 * (the same documents, gateway/test/api-fixtures.ts): the 5 000-alias flood stopped by the token
 * limit, aliases, depth, a fragment cycle and cost. Each is sent WARMUP times, then N times one
 * after the other; every answer is checked for its code (and limit) with no data. Baseline on
 * the same transport in the same run: a valid small query that reaches the forum subgraph.
 *
 * Subgraph calls are read from the process's /metrics before and after every round: the
 * gateway's agora_subgraph_fetches_total and the subgraphs' own agora_graphql_operations_total.
 * The request rate limits are raised for this run only (RATE_LIMIT_ANONYMOUS) so the flood of
 * sequential requests is not refused with 429; the response cache is off so the baseline is a
 * real subgraph round trip, not a cache hit. Env: N (200), WARMUP (20).
 * Results: printed, and bench/results/attacks-<date>.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { startEmbeddedStack } from '@agora/embedded/stack';
import { ATTACKS, post, wsConnect, wsOperation, type Answer } from '../gateway/test/api-fixtures';
import { percentile } from './lib';

const N = Number(process.env.N ?? 200);
const WARMUP = Number(process.env.WARMUP ?? 20);
const RATE_LIMIT = 10_000_000;
const BASELINE = '{ panels(first: 1) { edges { cursor } } }';

interface Case {
  name: string;
  query: string;
  /** Expected error code and limit; none: a valid query expected to answer with data. */
  code?: string;
  limit?: string;
}

const CASES: Case[] = [
  { name: 'baseline: valid small query', query: BASELINE },
  {
    name: `tokens (5 000-alias flood, ${Math.round(ATTACKS['alias flood']!.query.length / 1000)} kB; limit 4 000 tokens)`,
    ...ATTACKS['alias flood']!,
  },
  { name: 'aliases (100, limit 30)', ...ATTACKS.aliases! },
  { name: 'depth (20 levels, limit 12)', ...ATTACKS.depth! },
  { name: 'fragment cycle', ...ATTACKS['fragment cycle']! },
  { name: 'cost (panels × posts, 100 × 100)', ...ATTACKS.cost! },
];

type Body = Answer['body'];
/** One request: its HTTP status (101 for WebSocket) and its GraphQL answer. */
type Send = (query: string, id: string) => Promise<{ status: number; body: Body }>;

/** graphql-sse distinct connections: a refusal is a JSON answer, a result an event stream. */
async function ssePost(url: string, query: string): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return { status: response.status, body: JSON.parse(text) as Body };
  }
  const next = text
    .split('\n\n')
    .map((event) => event.split('\n'))
    .find((lines) => lines.includes('event: next'));
  const data = next?.find((line) => line.startsWith('data: '))?.slice('data: '.length);
  return { status: response.status, body: data ? (JSON.parse(data) as Body) : { errors: [{ message: text }] } };
}

/** What is wrong with an answer, or undefined when it is the expected one. */
function mismatch(c: Case, expectedStatus: number | undefined, answer: { status: number; body: Body }) {
  const codes = (answer.body.errors ?? []).map((e) => e.extensions?.code);
  const limits = (answer.body.errors ?? []).map((e) => e.extensions?.limit);
  if (expectedStatus !== undefined && answer.status !== expectedStatus) return `status ${answer.status}`;
  if (!c.code) return answer.body.errors || !answer.body.data ? `errors ${JSON.stringify(codes)}` : undefined;
  if (!codes.includes(c.code)) return `codes ${JSON.stringify(codes)}`;
  if (c.limit && !limits.includes(c.limit)) return `limits ${JSON.stringify(limits)}`;
  if (answer.body.data != null) return 'data present';
  return undefined;
}

/** Sums of the series in a Prometheus text exposition, by a filter on the series line. */
async function subgraphCalls(metricsUrl: string): Promise<{ fetches: number; served: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = (keep: (line: string) => boolean) =>
    text
      .split('\n')
      .filter((line) => !line.startsWith('#') && keep(line))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    fetches: sum((line) => line.startsWith('agora_subgraph_fetches_total{')),
    served: sum((line) => line.startsWith('agora_graphql_operations_total{') && !line.includes('service="gateway"')),
  };
}

/** A markdown table with padded columns (as prettier writes it, so `npm run lint` accepts the file). */
function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

interface Row {
  transport: string;
  case: string;
  code: string;
  ok: number;
  p50: number;
  p95: number;
  max: number;
  fetches: number;
  served: number;
  failures: string[];
}

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = loadavg();
  // Raised for this run only: ~4 000 sequential anonymous requests from one address.
  const env = { ...process.env, RATE_LIMIT_ANONYMOUS: String(RATE_LIMIT), RESPONSE_CACHE: 'off' };
  const stack = await startEmbeddedStack({ gatewayPort: 0, subgraphPort: () => 0, env });
  const url = stack.gateway.graphqlUrl;
  const metricsUrl = url.replace(/\/graphql$/, '/metrics');
  const socket: WebSocket = await wsConnect(url);
  let wsId = 0;

  const transports: { name: string; status: number | undefined; send: Send }[] = [
    { name: 'HTTP POST', status: undefined, send: (query) => post(url, { query }) },
    {
      name: 'WebSocket (graphql-ws)',
      status: 101,
      send: async (query, id) => {
        const message = await wsOperation(socket, `${id}-${(wsId += 1)}`, { query });
        const body: Body = message.type === 'error' ? { errors: message.payload as never } : (message.payload as Body);
        return { status: 101, body };
      },
    },
    { name: 'SSE POST (distinct)', status: undefined, send: (query) => ssePost(url, query) },
  ];

  const rows: Row[] = [];
  for (const transport of transports) {
    for (const c of CASES) {
      // Refusals are 400 on HTTP and SSE; the baseline 200. WebSocket has no status per operation.
      const expected = transport.status ?? (c.code ? 400 : 200);
      const failures: string[] = [];
      for (let i = 0; i < WARMUP; i += 1) {
        const problem = mismatch(c, expected, await transport.send(c.query, 'warm'));
        if (problem) failures.push(`warm-up: ${problem}`);
      }
      const before = await subgraphCalls(metricsUrl);
      const times: number[] = [];
      for (let i = 0; i < N; i += 1) {
        const start = performance.now();
        const answer = await transport.send(c.query, 'run');
        times.push(performance.now() - start);
        const problem = mismatch(c, expected, answer);
        if (problem) failures.push(problem);
      }
      const after = await subgraphCalls(metricsUrl);
      const sorted = times.sort((a, b) => a - b);
      const row: Row = {
        transport: transport.name,
        case: c.name,
        code: c.code ? `${c.code}${c.limit ? ` (${c.limit})` : ''}` : 'data',
        ok: N - failures.filter((f) => !f.startsWith('warm-up')).length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        max: sorted[sorted.length - 1]!,
        fetches: after.fetches - before.fetches,
        served: after.served - before.served,
        failures: [...new Set(failures)].slice(0, 3),
      };
      rows.push(row);
      console.log(
        `${row.transport} | ${row.case}: p50 ${row.p50.toFixed(2)} ms, p95 ${row.p95.toFixed(2)} ms, ` +
          `max ${row.max.toFixed(2)} ms, ${row.ok}/${N} as expected, subgraph fetches ${row.fetches}` +
          (row.failures.length ? `, FAILURES: ${row.failures.join('; ')}` : ''),
      );
    }
  }
  socket.close();
  await stack.close();
  const loadAfter = loadavg();

  const ms = (n: number) => n.toFixed(2);
  const baselineOf = (transport: string) => rows.find((r) => r.transport === transport && r.code === 'data')!;
  const table = markdownTable(
    [
      'transport',
      'request',
      'expected answer',
      'as expected',
      'p50 (ms)',
      'p95 (ms)',
      'max (ms)',
      'p50 / baseline p50',
      'subgraph fetches (gateway)',
      'operations served by subgraphs',
    ],
    rows.map((r) => [
      r.transport,
      r.case,
      r.code,
      `${r.ok}/${N}`,
      ms(r.p50),
      ms(r.p95),
      ms(r.max),
      `${(r.p50 / baselineOf(r.transport).p50).toFixed(2)}×`,
      String(r.fetches),
      String(r.served),
    ]),
  );
  const attacks = rows.filter((r) => r.code !== 'data');
  const worstP95 = Math.max(...attacks.map((r) => r.p95));
  const attackFetches = attacks.reduce((total, r) => total + r.fetches + r.served, 0);
  const allOk = rows.every((r) => r.ok === N && r.failures.length === 0);
  const round = (loads: number[]) => loads.map((l) => l.toFixed(2)).join(' / ');
  const notes = [
    `- ${started.toISOString()}, Node ${process.version}, ${cpus().length} cores (shared); load average (1/5/15 min) ${round(loadBefore)} before, ${round(loadAfter)} after.`,
    `- ${N} sequential requests per row after ${WARMUP} warm-up requests; client and embedded stack in one process over loopback.`,
    `- Rate limits raised for this run only (RATE_LIMIT_ANONYMOUS=${RATE_LIMIT} per window, still checked on every request); response cache off (RESPONSE_CACHE=off).`,
    `- Subgraph calls during the attack rounds: **${attackFetches}** (gateway fetches + operations served by subgraphs); worst attack p95 **${ms(worstP95)} ms** (target: under 50 ms).`,
    `- Every answer as expected: ${allOk ? 'yes' : 'NO, see the failures printed above'}.`,
  ].join('\n');
  const report = `# Attack refusal latency (\`npm run bench:attacks\`)\n\n${table}\n\n${notes}\n`;
  console.log(`\n${report}`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `attacks-${started.toISOString().slice(0, 10)}.md`);
  writeFileSync(file, report);
  console.log(`written to ${file}`);
  if (!allOk || attackFetches !== 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
