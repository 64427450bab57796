/**
 * Gateway → subgraph transport: the gateway's keep-alive undici pool against Apollo
 * Gateway's default fetcher (make-fetch-happen), on the same forum subgraph in the same
 * run. Reports throughput and latency of each, and the ratio. `npm run bench:fetch`.
 *
 * Loopback only; bounded: ROUNDS × REQUESTS requests per fetcher.
 */
import fetchHappen from 'make-fetch-happen';
import { embeddedInfra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import { forumService } from '@agora/forum/service';
import { keepAliveFetcher } from '@agora/gateway/fetcher';
import { summary, writeResult } from './lib';

const REQUESTS = Number(process.env.REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const QUERY = JSON.stringify({ query: '{ panels(first: 20) { edges { node { id slug name createdAt } } } }' });

type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ text(): Promise<string>; status: number }>;

async function run(fetcher: Fetch, url: string) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next += 1;
        const t0 = performance.now();
        const response = await fetcher(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: QUERY,
        });
        const text = await response.text();
        if (response.status !== 200 || !text.includes('edges')) throw new Error(`bad response ${response.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { requestsPerSecond: Math.round(REQUESTS / seconds), ...summary(latencies) };
}

async function main() {
  const infra = embeddedInfra();
  const forum = await forumService.start({
    host: '127.0.0.1',
    port: 0,
    log: createLogger('bench'),
    maxBodyBytes: 1_048_576,
    infra,
    identify: async () => null,
  });
  const seed = await fetch(forum.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ panels(first: 1) { edges { cursor } } }' }),
  });
  if (seed.status !== 200) throw new Error('forum did not answer');

  const keepAlive = keepAliveFetcher();
  const fetchers: Record<string, Fetch> = {
    'default (make-fetch-happen)': fetchHappen.defaults({ maxSockets: Infinity, retry: false }) as unknown as Fetch,
    'keep-alive undici pool': keepAlive.fetcher as unknown as Fetch,
  };
  const results: Record<string, (ReturnType<typeof summary> & { requestsPerSecond: number })[]> = {};
  await run(fetchers['keep-alive undici pool']!, forum.graphqlUrl); // warm-up (JIT, PGlite caches)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fetcher] of Object.entries(fetchers)) {
      (results[name] ??= []).push(await run(fetcher, forum.graphqlUrl));
    }
  }
  const best = (name: string) => Math.max(...results[name]!.map((r) => r.requestsPerSecond));
  const ratio = best('keep-alive undici pool') / best('default (make-fetch-happen)');
  const output = {
    benchmark: 'gateway-to-subgraph fetcher',
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    results,
    throughputRatioKeepAliveOverDefault: Math.round(ratio * 100) / 100,
    node: process.version,
    date: new Date().toISOString(),
  };
  console.log(JSON.stringify(output, null, 2));
  console.log(`wrote ${writeResult('subgraph-fetch', output)}`);
  await keepAlive.close();
  await forum.close();
  await infra.close();
}

void main();
