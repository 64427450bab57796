/**
 * The process under test of `bench/subscriptions.ts`: the embedded stack (every subgraph and
 * one gateway), counting the HTTP requests each server receives so the benchmark can tell
 * how many subgraph requests an event costs. Driven over IPC: `stats`, `stop`.
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedStack } from '@agora/embedded/stack';

export type ServerMessage =
  { type: 'ready'; graphqlUrl: string } | { type: 'stats'; requests: Record<string, number>; rssMb: number };

const requestsByPort = new Map<number, number>();
subscribe('http.server.request.start', (message) => {
  const { port } = (message as { server: Server }).server.address() as AddressInfo;
  requestsByPort.set(port, (requestsByPort.get(port) ?? 0) + 1);
});

async function main() {
  const stack = await startEmbeddedStack({
    dataDir: mkdtempSync(join(tmpdir(), 'agora-bench-subscriptions-')),
    gatewayPort: 0,
    subgraphPort: () => 0,
  });
  const send = (message: ServerMessage) => process.send!(message);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      const requests = Object.fromEntries(
        stack.services.map((s) => [s.name, requestsByPort.get(Number(new URL(s.url).port)) ?? 0]),
      );
      send({ type: 'stats', requests, rssMb: Math.round(process.memoryUsage().rss / 1e6) });
    }
    if (message.type === 'stop') void stack.close().then(() => process.exit(0));
  });
  // The benchmark is gone (it failed, or was killed): do not outlive it.
  process.once('disconnect', () => void stack.close().then(() => process.exit(0)));
  send({ type: 'ready', graphqlUrl: stack.gateway.graphqlUrl });
}

void main();
