/**
 * What 30 000 graphql-sse reservations and 1 000 WebSocket connections from one address cost
 * the gateway (issue 14): how many were granted past the per-address cap, and the process's
 * RSS before, after and once the refused ones are gone. One embedded stack in this process.
 * `NODE_OPTIONS=--expose-gc npm run bench:caps`. RESERVATIONS (30 000), SOCKETS (1 000), AT_ONCE (50).
 */
import { WebSocket } from 'ws';
import { startEmbeddedStack } from '@agora/embedded/stack';
import { writeResult } from './lib';

const RESERVATIONS = Number(process.env.RESERVATIONS ?? 30_000);
const SOCKETS = Number(process.env.SOCKETS ?? 1_000);
const AT_ONCE = Number(process.env.AT_ONCE ?? 50);
const round = (bytes: number) => Math.round(bytes / 1e5) / 10;
/** RSS and, after a full GC when node runs with --expose-gc, the live heap (MB). */
const mb = () => {
  global.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: round(rss), heapUsed: round(heapUsed) };
};

async function inBatches<T>(count: number, one: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i += AT_ONCE) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, count - i) }, one))));
  }
  return results;
}

async function main(): Promise<void> {
  const stack = await startEmbeddedStack({ gatewayPort: 0, subgraphPort: () => 0 });
  const url = stack.gateway.graphqlUrl;
  const before = mb();

  const reservations = await inBatches(RESERVATIONS, async () => {
    const response = await fetch(url, { method: 'PUT' });
    await response.arrayBuffer();
    return response.status;
  });
  const afterReservations = mb();

  const sockets: WebSocket[] = [];
  const upgrades = await inBatches(
    SOCKETS,
    () =>
      new Promise<number>((done) => {
        const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        sockets.push(socket);
        socket.once('open', () => done(101));
        socket.once('unexpected-response', (_req, res) => done(res.statusCode ?? 0));
        socket.once('error', () => done(0));
      }),
  );
  const afterSockets = mb();
  for (const socket of sockets) socket.terminate();
  await new Promise((done) => setTimeout(done, 2_000));
  const settled = mb();

  const count = (statuses: number[]) =>
    Object.fromEntries([...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length]));
  const result = {
    date: new Date().toISOString(),
    reservations: { sent: RESERVATIONS, byStatus: count(reservations) },
    webSockets: { opened: SOCKETS, byStatus: count(upgrades) },
    memoryMb: { before, afterReservations, afterSockets, settled },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${writeResult('transport-caps', result)}`);
  await stack.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
