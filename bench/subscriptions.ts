/**
 * Subscription fan-out on one gateway process: SUBSCRIBERS graphql-ws subscribers, one
 * WebSocket connection each (half anonymous, half signed in as USERS accounts), all on
 * `postAdded(panelId)`, while EVENTS posts are created through the gateway.
 *
 * - shared: every subscriber has the same selection, so each event is resolved once;
 * - unshared (the baseline, same run): UNSHARED_SUBSCRIBERS of them each with a selection of
 *   its own (a distinct alias), so each event is resolved once per subscriber. A subset keeps
 *   the run short: that cost is linear in subscribers, which the per-subscriber figure shows.
 *
 * Reports event-to-delivery latency (the post's createdAt to its arrival at the client,
 * p50/p99) and subgraph HTTP requests per event (counted at the subgraph servers, minus
 * what creating the post itself costs), and the ratios. The stack runs in a child process
 * so the clients do not share its event loop. `npm run bench:subscriptions`.
 *
 * Loopback only; bounded: every wait has a deadline.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { format } from 'prettier';
import WebSocket from 'ws';
// Not '@agora/kit/testing': its index needs jest's globals, and this runs outside jest.
import { gql } from '@agora/kit/testing/http';
import { sleep } from '@agora/kit/time';
import { summary, writeResult } from './lib';
import type { ServerMessage } from './subscriptions-server';

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 5_000);
const EVENTS = Number(process.env.EVENTS ?? 20);
const UNSHARED_SUBSCRIBERS = Math.min(SUBSCRIBERS, Number(process.env.UNSHARED_SUBSCRIBERS ?? 500));
const UNSHARED_EVENTS = Number(process.env.UNSHARED_EVENTS ?? 3);
const USERS = Number(process.env.USERS ?? 50);
/** Between posts of the shared phase: events arrive while earlier ones are being fanned out. */
const GAP_MS = Number(process.env.GAP_MS ?? 100);
const CONNECT_BATCH = 250;
const DEADLINE_MS = 180_000;

async function until(what: string, check: () => boolean, timeoutMs = DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface StackProcess {
  graphqlUrl: string;
  requests(): Promise<{ requests: Record<string, number>; rssMb: number }>;
  stop(): Promise<void>;
}

function startStack(): Promise<StackProcess> {
  const child: ChildProcess = fork(join(__dirname, 'subscriptions-server.ts'), {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      // Every client here comes from one address: its caps and limits are raised for this run
      // only (they are still checked on every connection and operation).
      CONNECTIONS_PER_ADDRESS: String(SUBSCRIBERS + 100),
      REGISTRATIONS_PER_ADDRESS: String(USERS + 10),
      RATE_LIMIT_ANONYMOUS: String(SUBSCRIBERS * 10),
      RATE_LIMIT_USER: String(SUBSCRIBERS * 10),
    },
  });
  const next = <T extends ServerMessage['type']>(type: T) =>
    new Promise<Extract<ServerMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: ServerMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message as Extract<ServerMessage, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the stack exited (${code})`)));
    });
  return next('ready').then(({ graphqlUrl }) => ({
    graphqlUrl,
    requests: () => {
      const answer = next('stats');
      child.send({ type: 'stats' });
      return answer;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  }));
}

const diff = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.keys(after).map((name) => [name, after[name]! - (before[name] ?? 0)]));
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main() {
  const watchdog = setTimeout(() => {
    console.error('bench: over its time budget');
    process.exit(1);
  }, 15 * 60_000);
  const stack = await startStack();
  const url = stack.graphqlUrl;
  const call = async <D>(query: string, variables: Record<string, unknown>, token?: string) => {
    const res = await gql<D>(url, query, variables, token ? { authorization: `Bearer ${token}` } : {});
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const signUp = async (handle: string) =>
    (
      await call<{ register: { accessToken: string } }>(
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
        { input: { email: `${handle}@example.com`, password: 'Correct-horse-battery-9', handle } },
      )
    ).register.accessToken;

  const author = await signUp('bench_author');
  const readers: string[] = [];
  for (let i = 0; i < USERS; i++) readers.push(await signUp(`bench_reader_${i}`));
  const { createPanel } = await call<{ createPanel: { id: string } }>(
    'mutation($input: CreatePanelInput!) { createPanel(input: $input) { id } }',
    { input: { name: 'Bench subscriptions' } },
    author,
  );
  const panelId = createPanel.id;
  const post = async (title: string) =>
    (
      await call<{ createPost: { id: string } }>(
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId, title, body: 'Fan-out benchmark' } },
        author,
      )
    ).createPost.id;

  // What creating a post costs the subgraphs on its own, with nobody subscribed.
  const baselinePosts = 5;
  const idle = await stack.requests();
  for (let i = 0; i < baselinePosts; i++) await post('baseline');
  const perPost = diff((await stack.requests()).requests, idle.requests);

  // One connection per subscriber.
  const deliveries = new Map<string, number>();
  let latencies: number[] = [];
  let errors = 0;
  const onPayload = (result: { data?: unknown }) => {
    const payload = (result.data as { postAdded?: { id: string; createdAt: string } } | undefined)?.postAdded;
    if (!payload) {
      errors += 1;
      return;
    }
    latencies.push(Date.now() - Date.parse(payload.createdAt));
    deliveries.set(payload.id, (deliveries.get(payload.id) ?? 0) + 1);
  };
  const clients: { client: Client; unsubscribe?: () => void }[] = [];
  // The gateway process before any subscriber: RSS per subscriber is measured from here.
  const idleRssMb = (await stack.requests()).rssMb;
  const connectStarted = Date.now();
  for (let start = 0; start < SUBSCRIBERS; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, SUBSCRIBERS - start) }, (_, k) => start + k);
    await Promise.all(
      batch.map(
        (i) =>
          new Promise<void>((resolve, reject) => {
            const client = createClient({
              url: url.replace(/^http/, 'ws'),
              webSocketImpl: WebSocket,
              connectionParams: i % 2 === 1 ? { authorization: `Bearer ${readers[i % USERS]}` } : undefined,
              retryAttempts: 0,
              lazy: false,
              on: { connected: () => resolve(), error: reject },
            });
            clients.push({ client });
          }),
      ),
    );
  }
  const connectSeconds = (Date.now() - connectStarted) / 1000;

  const phase = async (subscribers: number, selectionOf: (i: number) => string, events: number, waitEach: boolean) => {
    for (const [i, entry] of clients.entries()) {
      entry.unsubscribe?.();
      entry.unsubscribe = undefined;
      if (i >= subscribers) continue;
      entry.unsubscribe = entry.client.subscribe(
        { query: `subscription($p: ID) { postAdded(panelId: $p) { ${selectionOf(i)} } }`, variables: { p: panelId } },
        { next: onPayload, error: () => void (errors += 1), complete: () => undefined },
      );
    }
    // Subscriptions start asynchronously, and each distinct query is planned on its first
    // event: warm up until one post reaches every subscriber.
    for (;;) {
      const id = await post('warm-up');
      await until('the warm-up post', () => (deliveries.get(id) ?? 0) > 0);
      for (let seen = -1; seen !== deliveries.get(id);) {
        seen = deliveries.get(id)!;
        await sleep(1_000);
      }
      if (deliveries.get(id) === subscribers) break;
    }
    latencies = [];
    errors = 0;
    const before = await stack.requests();
    const ids: string[] = [];
    for (let e = 0; e < events; e++) {
      const id = await post(`event ${e}`);
      ids.push(id);
      if (waitEach) await until(`event ${e} everywhere`, () => deliveries.get(id) === subscribers);
      else await sleep(GAP_MS);
    }
    await until('every event everywhere', () => ids.every((id) => (deliveries.get(id) ?? 0) >= subscribers));
    await sleep(500); // room for duplicates to show
    const after = await stack.requests();
    const requests = diff(after.requests, before.requests);
    const bySubscriptions = Object.fromEntries(
      Object.entries(requests).map(([name, n]) => [name, round(n / events - (perPost[name] ?? 0) / baselinePosts)]),
    );
    return {
      subscribers,
      events,
      deliveries: latencies.length,
      duplicates: ids.reduce((sum, id) => sum + (deliveries.get(id)! - subscribers), 0),
      errors,
      ...summary(latencies),
      subgraphRequestsPerEvent: round(total(bySubscriptions)),
      subgraphRequestsPerEventAndSubscriber: round(total(bySubscriptions) / subscribers, 6),
      subgraphRequestsPerEventByService: Object.fromEntries(Object.entries(bySubscriptions).filter(([, n]) => n > 0)),
      gatewayProcessRssMb: after.rssMb,
      rssPerSubscriberKb: round(((after.rssMb - idleRssMb) * 1000) / subscribers),
    };
  };

  const selection = 'id title createdAt author { handle } panel { name }';
  const shared = await phase(SUBSCRIBERS, () => selection, EVENTS, false);
  const unshared = await phase(UNSHARED_SUBSCRIBERS, (i) => `${selection} s${i}: title`, UNSHARED_EVENTS, true);

  const output = {
    benchmark: 'subscription fan-out (postAdded)',
    subscribers: SUBSCRIBERS,
    connections: SUBSCRIBERS,
    subscriptionsPerConnection: 1,
    signedInSubscribers: Math.floor(SUBSCRIBERS / 2),
    signedInAccounts: USERS,
    connectSeconds: round(connectSeconds, 1),
    shared,
    unshared,
    /** Per subscriber and event: what sharing saves, whatever the subscriber counts. */
    subgraphRequestsRatioUnsharedOverShared: round(
      unshared.subgraphRequestsPerEventAndSubscriber / shared.subgraphRequestsPerEventAndSubscriber,
      0,
    ),
    p50RatioUnsharedOverShared: round(unshared.p50Ms / shared.p50Ms),
    createPostSubgraphRequests: round(total(perPost) / baselinePosts),
    node: process.version,
    date: new Date().toISOString(),
  };
  console.log(JSON.stringify(output, null, 2));
  console.log(`wrote ${writeResult('subscriptions', output)}`);
  // Formatted as the repository's files are (prettier --check runs over them).
  writeFileSync(join(__dirname, 'results', 'subscriptions.md'), await format(markdown(output), { parser: 'markdown' }));

  for (const { client } of clients) await client.dispose();
  await stack.stop();
  clearTimeout(watchdog);
}

interface Phase {
  subscribers: number;
  events: number;
  deliveries: number;
  p50Ms: number;
  p99Ms: number;
  subgraphRequestsPerEvent: number;
  subgraphRequestsPerEventAndSubscriber: number;
}

function markdown(o: {
  subscribers: number;
  signedInSubscribers: number;
  signedInAccounts: number;
  shared: Phase;
  unshared: Phase;
  subgraphRequestsRatioUnsharedOverShared: number;
  p50RatioUnsharedOverShared: number;
  node: string;
  date: string;
}): string {
  const row = (name: string, r: Phase) =>
    `| ${name} | ${r.subscribers} | ${r.events} | ${r.deliveries} | ${r.p50Ms} | ${r.p99Ms} | ` +
    `${r.subgraphRequestsPerEvent} | ${r.subgraphRequestsPerEventAndSubscriber} |`;
  return [
    `# Subscription fan-out (${o.date}, Node ${o.node})`,
    '',
    `${o.subscribers} graphql-ws subscribers, one connection each (${o.signedInSubscribers} signed in as ` +
      `${o.signedInAccounts} accounts), on one gateway process; \`postAdded(panelId)\`.`,
    '',
    '| selections | subscribers | events | deliveries | p50 ms | p99 ms | subgraph requests / event | … / subscriber |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('shared (same selection)', o.shared),
    row('unshared (one per subscriber)', o.unshared),
    '',
    `Subgraph requests per event and subscriber, unshared / shared: **${o.subgraphRequestsRatioUnsharedOverShared}×**; ` +
      `p50 latency, unshared / shared: ${o.p50RatioUnsharedOverShared}×.`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
