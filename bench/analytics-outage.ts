/**
 * Client latency through the gateway while the event log behind the API-call log is down
 * (issue 12): the same read, in alternating rounds, with `gateway.requests` publishes
 * succeeding, refused at once (a broker that is down: connection refused), and never
 * answering (a hung broker: the usage log gives up after its publish timeout). Reported as
 * ratios of each outage's p50/p99 to the healthy rounds' of the same run, with the usage
 * log's counters (published, dropped, buffered). `npm run bench:analytics-outage`.
 *
 * The outage is made at the event-log port the gateway publishes through (as the analytics
 * e2e test does), on an embedded stack with the response cache off, so every request runs
 * the whole federated path. ROUNDS (2), SECONDS per round (8), CONCURRENCY (10).
 */
import type { EventEnvelope } from '@agora/contracts/events';
import { startEmbeddedStack } from '@agora/embedded/stack';
import { summary, writeResult } from './lib';

const ROUNDS = Number(process.env.ROUNDS ?? 2);
const SECONDS = Number(process.env.SECONDS ?? 8);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const READ = 'query BenchRead { panels(first: 10) { edges { node { id name postCount } } } }';

type Mode = 'healthy' | 'refused' | 'hung';

async function main(): Promise<void> {
  const stack = await startEmbeddedStack({
    gatewayPort: 0,
    subgraphPort: () => 0,
    env: { ...process.env, RESPONSE_CACHE: 'off', RATE_LIMITS: 'false', LOG_LEVEL: 'silent' },
  });
  const url = stack.gateway.graphqlUrl;
  const post = async <T = unknown>(query: string, variables?: unknown, token?: string): Promise<T> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const { register } = await post<{ register: { accessToken: string } }>(
    'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }',
    {
      i: { email: 'bench@example.com', password: 'Correct-horse-battery-9', handle: 'bench' },
    },
  );
  for (const name of ['Bench one', 'Bench two', 'Bench three']) {
    await post('mutation($n: String!) { createPanel(input: { name: $n }) { id } }', { n: name }, register.accessToken);
  }

  const events = stack.infra.events;
  const publish = events.publish.bind(events);
  let mode: Mode = 'healthy';
  events.publish = (topic: string, batch: EventEnvelope[]) => {
    if (topic !== 'gateway.requests' || mode === 'healthy') return publish(topic, batch);
    if (mode === 'refused') return Promise.reject(new Error('connect ECONNREFUSED (bench)'));
    return new Promise<void>(() => undefined); // hung: never answers
  };

  const run = async (seconds: number) => {
    const latencies: number[] = [];
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < until) {
          const began = performance.now();
          await post(READ);
          latencies.push(performance.now() - began);
        }
      }),
    );
    return latencies;
  };

  await run(3); // warm-up
  const samples: Record<Mode, number[]> = { healthy: [], refused: [], hung: [] };
  const modes: Mode[] = ['healthy', 'refused', 'hung'];
  for (let round = 0; round < ROUNDS; round++) {
    for (const next of round % 2 ? [...modes].reverse() : modes) {
      mode = next;
      samples[next].push(...(await run(SECONDS)));
      mode = 'healthy';
      await run(1); // let the buffer drain before the next mode
    }
  }
  const healthy = summary(samples.healthy);
  const result = {
    date: new Date().toISOString(),
    rounds: ROUNDS,
    secondsPerRound: SECONDS,
    concurrency: CONCURRENCY,
    ...Object.fromEntries(
      modes.map((m) => {
        const s = summary(samples[m]);
        return [
          m,
          {
            ...s,
            rps: Math.round(samples[m].length / (ROUNDS * SECONDS)),
            p50Ratio: Math.round((s.p50Ms / healthy.p50Ms) * 100) / 100,
            p99Ratio: Math.round((s.p99Ms / healthy.p99Ms) * 100) / 100,
          },
        ];
      }),
    ),
    usageLog: stack.gateway.usage.stats(),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${writeResult('analytics-outage', result)}`);
  await stack.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
