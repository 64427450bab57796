import { randomUUID } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { createLogger } from '@agora/kit/log';
import { startHttpServer, type RunningHttpServer } from '@agora/kit/server';
import { sleep, waitFor } from '@agora/kit/testing';
import { ConnectionCaps, type ConnectionCapLimits } from '../src/subscriptions/caps';
import { routeOf } from '../src/subscriptions/negotiate';
import { sseHandler } from '../src/subscriptions/sse';
import { CLOSE_SLOW_CONSUMER, CLOSE_UNAUTHORIZED, serveWebSocket } from '../src/subscriptions/ws';
import { curlSse, sseClient, sseSubscribe, wsClient, wsSubscribe } from './subscription-clients';
import { testWorld, type TestWorld } from './subscriptions-world';

/** graphql-ws and graphql-sse over a real HTTP server, in front of the engine's test world. */
describe('subscription transports', () => {
  const log = createLogger('transport-test');
  let world: TestWorld;
  let http: RunningHttpServer;
  let closeWs: () => Promise<void>;
  let url: string;
  const panelA = randomUUID();
  const panelB = randomUUID();
  const alice = randomUUID();

  const serve = async (
    options: { queueLimit?: number; keepAliveMs?: number; caps?: ConnectionCapLimits; reservationTtlMs?: number } = {},
  ) => {
    world = await testWorld({ queueLimit: options.queueLimit });
    const limits = {
      maxSubscriptionsPerConnection: 2,
      forwardedFor: () => '127.0.0.1',
      clientAddress: () => '127.0.0.1',
      caps: options.caps && new ConnectionCaps(options.caps),
    };
    const sse = sseHandler({
      reservationTtlMs: options.reservationTtlMs,
      engine: world.engine,
      log,
      maxBodyBytes: 4_096,
      queueLimit: options.queueLimit ?? 100,
      ...limits,
    });
    http = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      log,
      routes: {
        '/graphql': async (req, res) => {
          const route = await routeOf(req, { maxBodyBytes: 4_096, maxTokens: 1_000 });
          return route.sse ? sse(req, res, route.body) : void res.writeHead(404).end();
        },
      },
    });
    const ws = serveWebSocket({
      server: http.server,
      path: '/graphql',
      engine: world.engine,
      log,
      keepAliveMs: options.keepAliveMs ?? 12_000,
      maxMessageBytes: 4_096,
      ...limits,
    });
    closeWs = () => ws.close();
    url = `${http.url}/graphql`;
  };
  const post = (panelId: string, body = 'text') => ({ id: randomUUID(), panelId, authorId: alice, title: 'Hi', body });

  afterEach(async () => {
    await world.engine.close();
    await closeWs();
    await http.close();
    await world.close();
  });

  describe('graphql-ws', () => {
    it('delivers the posts of the subscribed panel, and nothing from another', async () => {
      await serve();
      const client = wsClient(url, await world.bearer(randomUUID()));
      const onA = wsSubscribe(client, 'subscription($p: ID) { postAdded(panelId: $p) { id title } }', { p: panelA });
      const onB = wsSubscribe(client, `subscription { postAdded(panelId: "${panelB}") { id } }`);
      await waitFor('both subscribed', () => world.engine['subscribers'].get('postAdded')?.size === 2);
      const created = post(panelA);
      await world.createPost(created);
      await waitFor('delivery', () => onA.results.length === 1);
      expect(onA.results[0]).toEqual({ data: { postAdded: { id: created.id, title: 'Hi' } } });
      // The panel B subscription was live all along: a post of its own panel reaches it, only that.
      const onPanelB = post(panelB);
      await world.createPost(onPanelB);
      await waitFor('the panel B post', () => onB.results.length === 1);
      expect(onB.results).toEqual([{ data: { postAdded: { id: onPanelB.id } } }]);
      expect(onA.results).toHaveLength(1);
      expect([onA.errors, onB.errors]).toEqual([[], []]);
      await client.dispose();
    });

    it('runs a query over the same socket', async () => {
      await serve();
      const created = post(panelA);
      world.posts.set(created.id, created);
      const client = wsClient(url);
      const query = wsSubscribe(client, 'query($id: ID!) { post(id: $id) { title } }', { id: created.id });
      await waitFor('the result', () => query.completed);
      expect(query.results).toEqual([{ data: { post: { title: 'Hi' } } }]);
      await client.dispose();
    });

    it('closes the connection with 4401 for a bad token', async () => {
      await serve();
      const closed: { code: number; reason: string }[] = [];
      const client = wsClient(url, 'Bearer forged', (event) => closed.push(event as never));
      const subscription = wsSubscribe(client, 'subscription { postAdded { id } }');
      await waitFor('the close', () => closed.length === 1);
      expect(closed[0]).toMatchObject({ code: CLOSE_UNAUTHORIZED, reason: 'Invalid or expired access token' });
      expect(subscription.results).toEqual([]);
      await client.dispose();
    });

    it('answers a subscription that needs a signed-in user with UNAUTHENTICATED', async () => {
      await serve();
      const client = wsClient(url);
      const mine = wsSubscribe(client, 'subscription { pictureProcessed { id } }');
      await waitFor('the error', () => mine.errors.length === 1);
      expect(mine.errors[0]).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
      ]);
      await client.dispose();
    });

    it('limits subscriptions per connection', async () => {
      await serve();
      const client = wsClient(url);
      const first = wsSubscribe(client, 'subscription { postAdded { id } }');
      const second = wsSubscribe(client, 'subscription { postAdded { title } }');
      const third = wsSubscribe(client, 'subscription { postAdded { body } }');
      await waitFor('the refusal', () => third.errors.length === 1);
      expect(third.errors[0]).toEqual([
        expect.objectContaining({ message: 'At most 2 subscriptions at once on one connection' }),
      ]);
      // Ending one makes room again.
      first.stop();
      await waitFor('room', () => world.engine['subscribers'].get('postAdded')?.size === 1);
      const fourth = wsSubscribe(client, 'subscription { postAdded { id } }');
      await waitFor('subscribed again', () => world.engine['subscribers'].get('postAdded')?.size === 2);
      await world.createPost(post(panelA));
      await waitFor('deliveries', () => second.results.length === 1 && fourth.results.length === 1);
      await client.dispose();
    });

    it('pings idle connections', async () => {
      await serve({ keepAliveMs: 100 });
      const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
      let pings = 0;
      socket.on('ping', () => (pings += 1));
      await waitFor('two pings', () => pings >= 2);
      socket.close();
    });

    it('drops a peer that misses a pong, and keeps one that answers', async () => {
      await serve({ keepAliveMs: 100 });
      const connect = (autoPong: boolean) => {
        const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws', { autoPong });
        const peer = { socket, pings: 0, closed: undefined as number | undefined };
        socket.on('ping', () => (peer.pings += 1));
        socket.on('close', (code) => (peer.closed = code));
        return peer;
      };
      const silent = connect(false);
      const answering = connect(true);
      await waitFor('the silent peer dropped', () => silent.closed !== undefined);
      expect(silent.closed).toBe(1006); // terminated: no close frame
      // Pinged as often, and later, the peer that answers is still there.
      const pingsWhenDropped = silent.pings;
      await waitFor('two more pings', () => answering.pings >= pingsWhenDropped + 2);
      expect(answering.closed).toBeUndefined();
      answering.socket.close();
    });

    it('closes a slow consumer with 4008 and a reason', async () => {
      await serve({ queueLimit: 5 });
      const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
      const messages: string[] = [];
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
      );
      socket.on('message', (data) => messages.push(String(data)));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await waitFor('ack', () => messages.length === 1);
      socket.send(
        JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { postAdded { body } }' } }),
      );
      await waitFor('subscribed', () => world.engine['subscribers'].get('postAdded')?.size === 1);
      // Stop reading: the kernel buffers fill, then the gateway's queue for this subscriber.
      (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 400 && world.engine['subscribers'].get('postAdded')?.size; i++) {
        await world.createPost(post(panelA, big));
        await sleep(1);
      }
      await waitFor('cut off', () => !world.engine['subscribers'].get('postAdded')?.size, 20_000);
      (socket as unknown as { _socket: { resume(): void } })._socket.resume();
      expect(await closed).toEqual({ code: CLOSE_SLOW_CONSUMER, reason: 'slow consumer: more than 5 events pending' });
    }, 30_000);

    it('completes subscriptions, then closes, on shutdown', async () => {
      await serve();
      const closed: { code: number }[] = [];
      const client = wsClient(url, undefined, (event) => closed.push(event as never));
      const subscription = wsSubscribe(client, 'subscription { postAdded { id } }');
      // A connection that stays open after its subscriptions end hears "Going away".
      const idle = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
      const idleClosed = new Promise<number>((resolve) => idle.on('close', (code) => resolve(code)));
      await new Promise((resolve) => idle.once('open', resolve));
      idle.send(JSON.stringify({ type: 'connection_init' }));
      await waitFor('subscribed', () => world.engine['subscribers'].get('postAdded')?.size === 1);
      await world.engine.close();
      await closeWs();
      await waitFor('closed', () => closed.length === 1);
      expect(subscription).toMatchObject({ results: [], errors: [], completed: true });
      // The lazy client leaves by itself once nothing is subscribed, else the server says 1001.
      expect([1000, 1001]).toContain((closed[0] as { code: number }).code);
      expect(await idleClosed).toBe(1001);
    });
  });

  describe('graphql-sse', () => {
    it('streams a subscription to plain curl, and nothing from another panel', async () => {
      await serve();
      const onA = curlSse(url, { query: `subscription { postAdded(panelId: "${panelA}") { id title } }` });
      const onB = curlSse(url, { query: `subscription { postAdded(panelId: "${panelB}") { id } }` });
      await waitFor('both subscribed', () => world.engine['subscribers'].get('postAdded')?.size === 2);
      const created = post(panelA);
      await world.createPost(created);
      await waitFor('the event', () => onA.events().length === 1);
      expect(onA.events()[0]).toEqual({ data: { postAdded: { id: created.id, title: 'Hi' } } });
      expect(onB.output).toMatch(/^:\n\n/); // open, and kept alive with comments
      // The panel B stream was live all along: a post of its own panel reaches it, only that.
      const onPanelB = post(panelB);
      await world.createPost(onPanelB);
      await waitFor('the panel B post', () => onB.events().length === 1);
      expect(onB.events()).toEqual([{ data: { postAdded: { id: onPanelB.id } } }]);
      expect(onA.events()).toHaveLength(1);
      onA.stop();
      onB.stop();
      await waitFor('unsubscribed', () => world.engine['subscribers'].get('postAdded')?.size === 0);
    });

    it('runs a query over an event stream once, then completes', async () => {
      await serve();
      const created = post(panelA);
      world.posts.set(created.id, created);
      const curl = curlSse(url, {
        query: 'query($id: ID!) { post(id: $id) { title } }',
        variables: { id: created.id },
      });
      await curl.exited;
      expect(curl.events()).toEqual([{ data: { post: { title: 'Hi' } } }]);
      expect(curl.output).toMatch(/event: complete\n/);
    });

    it('works with the graphql-sse client in both of its modes', async () => {
      await serve();
      const distinct = sseClient(url);
      const single = sseClient(url, { singleConnection: true, authorization: await world.bearer(randomUUID()) });
      const a = sseSubscribe(distinct, 'subscription { postAdded { id } }');
      const b = sseSubscribe(single, 'subscription { postAdded { title } }');
      await waitFor('both subscribed', () => world.engine['subscribers'].get('postAdded')?.size === 2);
      const created = post(panelA);
      await world.createPost(created);
      await waitFor('both', () => a.results.length === 1 && b.results.length === 1);
      expect(a.results[0]).toEqual({ data: { postAdded: { id: created.id } } });
      expect(b.results[0]).toEqual({ data: { postAdded: { title: 'Hi' } } });
      distinct.dispose();
      single.dispose();
    });

    it('refuses a bad token with 401 and a sign-in-only subscription without one', async () => {
      await serve();
      const forged = curlSse(url, { query: 'subscription { postAdded { id } }' }, { authorization: 'Bearer forged' });
      expect(await forged.exited).toBe(0);
      expect(forged.output).toMatch(/UNAUTHENTICATED[\s\S]*\n401$/);
      const anonymous = curlSse(url, { query: 'subscription { pictureProcessed { id } }' });
      await anonymous.exited;
      expect(JSON.parse(anonymous.output.replace(/\n\d+$/, ''))).toEqual({
        errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })],
      });
      expect(anonymous.output).toMatch(/\n401$/);
      const invalid = curlSse(url, { query: 'subscription { postAdded { nope } }' });
      await invalid.exited;
      expect(invalid.output).toMatch(/GRAPHQL_VALIDATION_FAILED[\s\S]*\n400$/);
    });

    it('refuses a body over the limit with 413', async () => {
      await serve();
      const huge = curlSse(url, { query: `subscription { postAdded { id } } # ${'x'.repeat(5_000)}` });
      await huge.exited;
      expect(huge.output).toMatch(/PAYLOAD_TOO_LARGE[\s\S]*\n413$/);
    });

    it('limits subscriptions per reserved stream', async () => {
      await serve();
      const reserve = await fetch(url, { method: 'PUT' });
      expect(reserve.status).toBe(201);
      const token = await reserve.text();
      const subscribe = (id: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
          body: JSON.stringify({ query: 'subscription { postAdded { id } }', extensions: { operationId: id } }),
        });
      expect((await subscribe('1')).status).toBe(202);
      expect((await subscribe('2')).status).toBe(202);
      const third = await subscribe('3');
      expect(third.status).toBe(429);
      expect(await third.json()).toEqual({
        errors: [expect.objectContaining({ extensions: { code: 'RATE_LIMITED' } })],
      });
    });

    it('ends the stream of a client that stops reading', async () => {
      await serve({ queueLimit: 5 });
      let text = '';
      let response: IncomingMessage | undefined;
      const ended = new Promise<void>((resolve) => {
        const req = request(
          url,
          { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': 'application/json' } },
          (res) => {
            response = res;
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', resolve);
            res.on('error', () => resolve());
          },
        );
        req.end(JSON.stringify({ query: 'subscription { postAdded { body } }' }));
      });
      await waitFor('subscribed', () => response && world.engine['subscribers'].get('postAdded')?.size === 1);
      response!.socket.pause();
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 400 && world.engine['subscribers'].get('postAdded')?.size; i++) {
        await world.createPost(post(panelA, big));
        await sleep(1);
      }
      await waitFor('cut off', () => !world.engine['subscribers'].get('postAdded')?.size, 20_000);
      response!.socket.resume();
      await ended;
      expect(text).toMatch(/: slow consumer: more than 5 events pending\n\n$/);
    }, 30_000);
  });

  /** Acceptance 4: connections and reservations are capped per client, and nothing piles up for them. */
  describe('caps and reservations', () => {
    const caps = { perAddress: 5, perApiKey: 50 };
    const reserve = () => fetch(url, { method: 'PUT' });
    const postInto = (token: string, id: string, query = 'subscription { postAdded { id } }') =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
        body: JSON.stringify({ query, extensions: { operationId: id } }),
      });

    it('refuses SSE reservations past the cap per address with 429 RATE_LIMITED', async () => {
      await serve({ caps });
      const statuses: number[] = [];
      const bodies: unknown[] = [];
      // 1 000 reservations, 20 at a time: only the first 5 are granted.
      for (let batch = 0; batch < 50; batch++) {
        const answers = await Promise.all(Array.from({ length: 20 }, reserve));
        for (const answer of answers) {
          statuses.push(answer.status);
          if (answer.status === 429) bodies.push(await answer.json());
          else await answer.text();
        }
      }
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(995);
      expect(bodies[0]).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'RATE_LIMITED' } })] });
    });

    it('drops a reservation whose stream never connects, freeing its slot and ending its operations', async () => {
      await serve({ caps: { perAddress: 1, perApiKey: 1 }, reservationTtlMs: 300 });
      const token = await (await reserve()).text();
      expect((await postInto(token, '1')).status).toBe(202);
      expect((await reserve()).status).toBe(429);
      await waitFor('the operation ended', () => !world.engine['subscribers'].get('postAdded')?.size, 5_000);
      expect((await postInto(token, '2')).status).toBe(404);
      expect((await reserve()).status).toBe(201);
    });

    it('holds no events for a reserved stream that is not connected: its subscriber is cut off', async () => {
      await serve({ caps, queueLimit: 5 });
      const token = await (await reserve()).text();
      expect((await postInto(token, '1')).status).toBe(202);
      await waitFor('subscribed', () => world.engine['subscribers'].get('postAdded')?.size === 1);
      for (let i = 0; i < 50 && world.engine['subscribers'].get('postAdded')?.size; i++) {
        await world.createPost(post(panelA));
      }
      await waitFor('cut off', () => !world.engine['subscribers'].get('postAdded')?.size);
    });

    it('delivers to a reserved stream once it connects', async () => {
      await serve({ caps });
      const client = sseClient(url, { singleConnection: true });
      const received = sseSubscribe(client, 'subscription { postAdded { id } }');
      await waitFor('subscribed', () => world.engine['subscribers'].get('postAdded')?.size === 1);
      const created = post(panelA);
      await world.createPost(created);
      await waitFor('delivered', () => received.results.length === 1);
      expect(received.results[0]).toEqual({ data: { postAdded: { id: created.id } } });
      client.dispose();
    });

    it('refuses WebSocket upgrades past the cap per address with 429, before any socket exists', async () => {
      await serve({ caps });
      const attempts = await Promise.all(
        Array.from(
          { length: 100 },
          () =>
            new Promise<{ socket: WebSocket; status: number }>((resolve) => {
              const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
              socket.once('open', () => resolve({ socket, status: 101 }));
              socket.once('unexpected-response', (_req, res) => resolve({ socket, status: res.statusCode ?? 0 }));
              socket.once('error', () => undefined);
            }),
        ),
      );
      expect(attempts.filter((a) => a.status === 101)).toHaveLength(5);
      expect(attempts.filter((a) => a.status === 429)).toHaveLength(95);
      const open = attempts.filter((a) => a.status === 101);
      open[0]!.socket.close();
      await new Promise((resolve) => open[0]!.socket.once('close', resolve));
      // The slot is back once the socket is gone.
      await waitFor('slot freed', async () => {
        const again = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        const ok = await new Promise<boolean>((resolve) => {
          again.once('open', () => resolve(true));
          again.once('unexpected-response', () => resolve(false));
          again.once('error', () => resolve(false));
        });
        again.close();
        return ok;
      });
      for (const { socket } of open) socket.close();
    });
  });
});
