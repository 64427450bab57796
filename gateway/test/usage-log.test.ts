import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { apiCallRecorded, type EventEnvelope } from '@agora/contracts/events';
import { MemoryNotices } from '@agora/kit/notices/memory';
import { REPO_ROOT } from '@agora/kit/paths';
import { FlakyEventLog, gql, waitFor } from '@agora/kit/testing';
import { startGateway, type RunningGateway } from '../src/gateway';
import type { ApiCallData } from '../src/usage-log';

/**
 * The gateway's API-call log over the real supergraph, with a stand-in forum subgraph and an
 * event log that can be switched off (a broker outage).
 */
describe('API-call log', () => {
  let forum: Server;
  let gateway: RunningGateway;
  const events = new FlakyEventLog();
  const records: ApiCallData[] = [];
  const logLines: { msg: string; dropped?: number; droppedTotal?: number }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });

  beforeAll(async () => {
    forum = createServer((req, res) => {
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { panels: { edges: [] } } }));
      });
    });
    await new Promise<void>((done) => forum.listen(0, '127.0.0.1', done));
    await events.subscribe({
      group: 'usage-log-test',
      topics: ['gateway.requests'],
      handle: async (event: EventEnvelope) => void records.push(apiCallRecorded.parse(event)),
    });
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      log,
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      subgraphUrls: { forum: `http://127.0.0.1:${(forum.address() as AddressInfo).port}/graphql` },
      maxBodyBytes: 10_000,
      maxDepth: 12,
      infra: { events, notices: new MemoryNotices() },
      usageLog: { bufferSize: 5, batchSize: 2, flushIntervalMs: 50, dropLogIntervalMs: 300 },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await events.close();
    await new Promise((done) => forum?.close(done));
  });

  const PANELS = 'query Panels { panels(first: 1) { edges { cursor } } }';
  const recordOf = (requestId: string) =>
    waitFor(requestId, () => records.find((r) => r.requestId === requestId)) as Promise<ApiCallData>;

  it('records an HTTP operation: name, type, document hash, client, subgraph timing, size, outcome', async () => {
    const res = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'apollographql-client-name': 'test-suite',
        'apollographql-client-version': '2.1',
        'x-request-id': 'usage-ok',
      },
      body: JSON.stringify({ query: PANELS }),
    });
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ data: { panels: { edges: [] } } });
    const record = await recordOf('usage-ok');
    expect(record).toMatchObject({
      phase: 'REQUEST',
      transport: 'HTTP',
      operationName: 'Panels',
      operationType: 'query',
      documentHash: createHash('sha256').update(PANELS).digest('hex'),
      clientName: 'test-suite',
      clientVersion: '2.1',
      userId: null,
      apiKeyId: null,
      outcome: 'OK',
      errorCodes: [],
      subgraphs: [{ name: 'forum', calls: 1, durationMs: expect.any(Number) }],
    });
    expect(record.responseBytes).toBe(Buffer.byteLength(body));
    expect(record.durationMs).toBeGreaterThan(0);
    expect(Date.now() - Date.parse(record.at)).toBeLessThan(60_000);
  });

  it('records failures with their codes: invalid operations and refused bodies', async () => {
    await gql(gateway.graphqlUrl, 'query Broken { nope }', undefined, { 'x-request-id': 'usage-invalid' });
    expect(await recordOf('usage-invalid')).toMatchObject({
      operationName: 'Broken',
      outcome: 'ERROR',
      errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
      subgraphs: [],
    });
    const big = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'usage-413' },
      body: JSON.stringify({ query: `{ panels { edges { cursor } } } # ${'x'.repeat(20_000)}` }),
    });
    expect(big.status).toBe(413);
    expect(await recordOf('usage-413')).toMatchObject({
      outcome: 'ERROR',
      errorCodes: ['PAYLOAD_TOO_LARGE'],
      operationType: null,
    });
  });

  it('answers clients as usual while the event log is down, keeps what fits, counts and logs the rest', async () => {
    const before = gateway.usage.stats();
    events.down = true;
    const answers = [];
    for (let i = 0; i < 8; i++) {
      answers.push((await gql(gateway.graphqlUrl, PANELS, undefined, { 'x-request-id': `usage-down-${i}` })).status);
    }
    expect(answers).toEqual(Array(8).fill(200));
    await waitFor('the failed publish', () => gateway.usage.stats().failedPublishes > before.failedPublishes);
    const during = gateway.usage.stats();
    expect(during.buffered).toBe(5);
    expect(during.dropped - before.dropped).toBe(3);
    // Logged as they happen, one line per interval with the count: all three, no line per record.
    const dropLines = () => logLines.filter((l) => l.msg === 'API-call records dropped');
    await waitFor('the drops logged', () => dropLines().reduce((n, l) => n + l.dropped!, 0) === 3);
    expect(dropLines().length).toBeLessThanOrEqual(2);
    expect(dropLines().at(-1)!.droppedTotal).toBe(3);

    // Kept records go out once the log is back (after the backoff); calls after that are recorded as usual.
    events.down = false;
    await waitFor('the buffer emptied', () => gateway.usage.stats().buffered === 0);
    // Taken from the buffer is not yet read back by this test's consumer: wait for all five.
    const kept = () => records.filter((r) => r.requestId?.startsWith('usage-down-'));
    await waitFor('the kept records read back', () => kept().length >= 5);
    expect(kept()).toHaveLength(5);
    await gql(gateway.graphqlUrl, PANELS, undefined, { 'x-request-id': 'usage-after' });
    await recordOf('usage-after');
    expect(gateway.usage.stats()).toMatchObject({ buffered: 0, dropped: 3 });
  }, 30_000);
});
