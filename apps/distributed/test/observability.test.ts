/**
 * Traces and metrics in distributed mode: each process exports its spans over OTLP/HTTP to a
 * receiver run by this test, and serves /metrics. One createPost through the gateway yields
 * one trace covering the gateway, forum, the Kafka hop (forum's producer span, stored with the
 * event in the outbox) and its consumers (comments, and the gateway's subscription consumer
 * resolving the payload); one upload's trace continues through the RabbitMQ job to the worker.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { describeWithService, freshDatabase, gql, waitFor, type GraphQLResponse } from '@agora/kit/testing';
import { smallPng, startStack, type StackProcesses } from './processes';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

/** An OTLP/HTTP trace receiver (JSON encoding, as the exporter sends it): POST /v1/traces. */
async function otlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: Omit<ReceivedSpan, 'service'>[] }[];
          }[];
        };
        for (const resource of payload.resourceSpans ?? []) {
          const service =
            resource.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? 'unknown';
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) spans.push({ ...span, service });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { spans, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** SpanKind values of OTLP. */
const KIND = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

describeWithService(
  ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'KAFKA_BROKERS', 'MONGO_URL'],
  'traces and metrics in distributed mode',
  (serverUrl) => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
    let stack: StackProcesses;
    let token: string;
    let panelId: string;

    const call = <D = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
      fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      }).then(async (r) => ({
        traceId: r.headers.get('x-trace-id'),
        body: (await r.json()) as GraphQLResponse<D>,
      }));

    beforeAll(async () => {
      receiver = await otlpReceiver();
      database = await freshDatabase(serverUrl);
      stack = await startStack({
        databaseUrl: database.url,
        subgraphs: ['auth', 'users', 'forum', 'comments', 'pictures', 'search', 'analytics', 'notifications'],
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
        envOf: { forum: { LOG_LEVEL: 'debug' } },
      });
      const handle = `o${randomUUID().slice(0, 8)}`;
      const registered = await gql<{ register: { accessToken: string } }>(
        stack.gatewayUrl,
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
        { input: { email: `${handle}@example.test`, password: 'Correct-horse-battery-9', handle } },
      );
      token = registered.data!.register.accessToken;
      const panel = await call<{ createPanel: { id: string } }>(
        'mutation($n: String!) { createPanel(input: { name: $n }) { id } }',
        { n: `Traced ${handle}` },
      );
      panelId = panel.body.data!.createPanel.id;
    }, 240_000);

    afterAll(async () => {
      stack?.kill();
      receiver?.close();
      await database?.drop();
    });

    it('one createPost yields one trace across the gateway, forum, the Kafka hop and its consumers', async () => {
      // A subscriber, so the gateway consumes forum.posts and resolves a payload for it.
      let delivered = false;
      const ws = createClient({
        url: stack.gatewayUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
      });
      let connected = false;
      ws.on('connected', () => (connected = true));
      ws.subscribe(
        { query: 'subscription($p: ID) { postAdded(panelId: $p) { id title } }', variables: { p: panelId } },
        { next: () => void (delivered = true), error: () => undefined, complete: () => undefined },
      );
      await waitFor('the subscriber connected', () => connected);
      await new Promise((done) => setTimeout(done, 500));

      const created = await call<{ createPost: { id: string } }>(
        'mutation($p: ID!) { createPost(input: { panelId: $p, title: "Traced", body: "b" }) { id } }',
        { p: panelId },
      );
      expect(created.body.errors).toBeUndefined();
      const traceId = created.traceId!;
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      await waitFor('the payload delivered', () => delivered, 30_000);

      const has = (service: string, kind: number, name: RegExp) =>
        receiver.spans.some(
          (s) => s.traceId === traceId && s.service === service && s.kind === kind && name.test(s.name),
        );
      await waitFor(
        'every span of the trace',
        () =>
          has('gateway', KIND.SERVER, /^POST \/graphql$/) &&
          has('gateway', KIND.CLIENT, /^POST forum$/) &&
          has('forum', KIND.SERVER, /^POST \/graphql$/) &&
          has('forum', KIND.PRODUCER, /^forum\.posts publish$/) &&
          has('comments', KIND.CONSUMER, /^forum\.posts process$/) &&
          has('gateway', KIND.CONSUMER, /^forum\.posts process$/),
        30_000,
      );
      // One trace: every span but the gateway's request has its parent in the trace. A parent
      // ends (and is exported) after its children, so wait for the parents still on their way.
      const rootsOf = () => {
        const spans = receiver.spans.filter((s) => s.traceId === traceId);
        const ids = new Set(spans.map((s) => s.spanId));
        return { trace: spans, roots: spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId)) };
      };
      await waitFor('every parent span exported', () => rootsOf().roots.length === 1, 15_000).catch(() => undefined);
      const { trace, roots } = rootsOf();
      expect(roots.map((s) => `${s.service} ${s.name}`)).toEqual(['gateway POST /graphql']);
      // The gateway's consumer resolved the payload through forum, still in this trace.
      const consumer = trace.find((s) => s.service === 'gateway' && s.kind === KIND.CONSUMER)!;
      const below = (parent: string): ReceivedSpan[] =>
        trace.filter((s) => s.parentSpanId === parent).flatMap((s) => [s, ...below(s.spanId)]);
      expect(below(consumer.spanId).some((s) => s.service === 'forum' && s.kind === KIND.SERVER)).toBe(true);
      // Log lines carry the trace id.
      expect(
        stack.processes
          .get('forum')!
          .logs()
          .some((l) => l.traceId === traceId),
      ).toBe(true);
      void ws.dispose();
    }, 60_000);

    it("an upload's trace continues through the RabbitMQ job to the worker", async () => {
      const png = smallPng();
      const uploaded = await call<{ uploadPicture: { id: string } }>(
        'mutation($input: UploadPictureInput!) { uploadPicture(input: $input) { id } }',
        { input: { title: 'traced', contentType: 'image/png', dataBase64: png.toString('base64') } },
      );
      expect(uploaded.body.errors).toBeUndefined();
      const traceId = uploaded.traceId!;
      await waitFor(
        'the worker span in the upload trace',
        () =>
          receiver.spans.some(
            (s) =>
              s.traceId === traceId &&
              s.service === 'pictures-worker' &&
              s.kind === KIND.CONSUMER &&
              s.name === 'pictures.thumbnails process',
          ),
        30_000,
      );
    }, 60_000);

    it('/metrics on every process started here (every subgraph, the worker, the gateway) exposes the series of its role', async () => {
      const series = async (name: string) => {
        const base = stack.urls[name]!.replace(/\/graphql$/, '');
        const response = await fetch(`${base}/metrics`);
        expect(response.status).toBe(200);
        return response.text();
      };
      const common = [
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_eventloop_lag_p99_seconds',
      ];
      const expected: Record<string, string[]> = {
        gateway: [
          'agora_graphql_operations_total',
          'agora_graphql_operation_duration_seconds',
          'agora_graphql_errors_total',
          'agora_subgraph_fetches_total',
          'agora_subgraph_fetch_duration_seconds',
          'agora_subgraph_retries_total',
          'agora_subgraph_reads_shared_total',
          'agora_subgraph_replica_ejections_total',
          'agora_subgraph_replicas_healthy',
          'agora_subscriptions_open',
          'agora_subscription_delivery_seconds',
          'agora_events_consumed_total',
          'agora_consumer_lag_seconds',
        ],
        forum: [
          'agora_graphql_operations_total',
          'agora_outbox_backlog',
          'agora_outbox_relay_lag_seconds',
          'agora_outbox_published_total',
          'agora_cache_requests_total',
        ],
        comments: ['agora_events_consumed_total', 'agora_consumer_lag_seconds', 'agora_outbox_backlog'],
        users: ['agora_events_consumed_total', 'agora_consumer_lag_seconds'],
        auth: ['agora_graphql_operations_total', 'agora_outbox_published_total'],
        pictures: ['agora_graphql_operations_total', 'agora_outbox_backlog'],
        'pictures-worker': ['agora_jobs_total', 'agora_job_queue_depth'],
        search: ['agora_graphql_operations_total', 'agora_events_consumed_total', 'agora_consumer_lag_seconds'],
        analytics: ['agora_graphql_operations_total', 'agora_events_consumed_total', 'agora_consumer_lag_seconds'],
        notifications: [
          'agora_graphql_operations_total',
          'agora_events_consumed_total',
          'agora_consumer_lag_seconds',
          'agora_jobs_total',
        ],
      };
      for (const [name, names] of Object.entries(expected)) {
        const text = await series(name);
        const missing = [...common, ...names].filter((n) => !new RegExp(`^# TYPE ${n} `, 'm').test(text));
        expect({ name, missing }).toEqual({ name, missing: [] });
      }
      // Values, not just names: the gateway counted the operations above, forum published events.
      expect(await series('gateway')).toMatch(
        /^agora_graphql_operations_total\{[^}]*operation="anonymous"[^}]*\} [1-9]/m,
      );
      expect(await series('forum')).toMatch(/^agora_outbox_published_total\{service="forum"\} [1-9]/m);
      expect(await series('gateway')).toMatch(/^agora_subscription_delivery_seconds_count\{field="postAdded"\} [1-9]/m);
      expect(await series('comments')).toMatch(
        /^agora_consumer_lag_seconds_count\{group="comments",topic="forum.posts"\} [1-9]/m,
      );
      expect(await series('pictures-worker')).toMatch(
        /^agora_jobs_total\{queue="pictures.thumbnails",outcome="ok"\} [1-9]/m,
      );
      // search projected the post written above; analytics stored the gateway's call records.
      await waitFor('search to count the post it indexed', async () =>
        /^agora_events_consumed_total\{group="search[^"]*",topic="forum.posts",outcome="ok"\} [1-9]/m.test(
          await series('search'),
        ),
      );
      await waitFor('analytics to count the call records it stored', async () =>
        /^agora_events_consumed_total\{group="analytics[^"]*",topic="gateway.requests",outcome="ok"\} [1-9]/m.test(
          await series('analytics'),
        ),
      );
    }, 60_000);
  },
);
