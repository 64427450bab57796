/**
 * SIGTERM to a gateway process (gateway/src/main.ts, as deployed): subscribers get their
 * `complete` and WebSockets close with 1001, SSE streams end, the HTTP request in flight gets
 * its answer, and the process exits 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, spawnTsx, waitFor } from '@agora/kit/testing';
import { curlSse } from './subscription-clients';

/** A forum stand-in whose answers wait until `release()`: a request held in flight. */
async function heldForum() {
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));
  const forum = { received: 0, release, server: undefined as unknown as Server, url: '' };
  forum.server = createServer((req, res) => {
    if (req.url === '/readyz') return void res.writeHead(200).end('{}');
    forum.received += 1;
    req.resume().on('end', () => {
      void released.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { panels: { edges: [] } } }));
      });
    });
  });
  await new Promise<void>((done) => forum.server.listen(0, '127.0.0.1', done));
  forum.url = `http://127.0.0.1:${(forum.server.address() as AddressInfo).port}/graphql`;
  return forum;
}

describe('gateway SIGTERM', () => {
  it('completes subscriptions, closes WebSockets with 1001, ends SSE, finishes the request in flight and exits 0', async () => {
    const forum = await heldForum();
    const gateway = spawnTsx('gateway/src/main.ts', {
      PORT: '0',
      SUBGRAPH_FORUM_URL: forum.url,
      WEB_ROOT: '/nonexistent',
    });
    try {
      const listening = await gateway.waitForLog('gateway listening');
      const url = String(listening.url);

      const closes: { code: number; reason: string }[] = [];
      let connected = false;
      const ws = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        // Not lazy: the client keeps its socket after its last subscription completes, so
        // the close code seen is the server's.
        lazy: false,
        on: {
          connected: () => void (connected = true),
          closed: (event) => void closes.push(event as { code: number; reason: string }),
        },
      });
      const received = { completed: false, errors: [] as unknown[] };
      ws.subscribe(
        { query: 'subscription { postAdded { id } }' },
        {
          next: () => undefined,
          error: (error) => void received.errors.push(error),
          complete: () => void (received.completed = true),
        },
      );
      await waitFor('the WebSocket connected', () => connected);
      const sse = curlSse(url, { query: 'subscription { postAdded { id } }' });
      await waitFor('the SSE stream open', () => sse.output.length > 0 || gateway.lines.length > 0, 5_000);

      const inFlight = gql(url, '{ panels(first: 1) { edges { node { id } } } }');
      await waitFor('the request to reach the forum', () => forum.received === 1);
      const began = Date.now();
      gateway.kill('SIGTERM');
      await gateway.waitForLog('shutting down');
      setTimeout(() => forum.release(), 300);

      const answered = await inFlight;
      expect(answered.errors).toBeUndefined();
      expect(answered.data).toEqual({ panels: { edges: [] } });
      expect(await gateway.exited).toEqual({ code: 0, signal: null });
      const stoppedInMs = Date.now() - began;

      await waitFor('the WebSocket closed', () => closes.length > 0);
      expect(received.completed).toBe(true);
      expect(received.errors).toEqual([]);
      expect(closes[0]!.code).toBe(1001);
      expect(await sse.exited).toBe(0);
      expect(sse.output).toContain('event: complete');
      expect(gateway.logs().some((l) => l.msg === 'stopped')).toBe(true);
      expect(stoppedInMs).toBeLessThan(10_000); // the lifecycle's bound, not a speed target
      void ws.dispose();
    } finally {
      gateway.kill('SIGKILL');
      forum.release();
      forum.server.close();
    }
  }, 60_000);
});
