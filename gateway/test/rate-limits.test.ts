import { resolve } from 'node:path';
import type WebSocket from 'ws';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import { REPO_ROOT } from '@agora/kit/paths';
import { testTokens } from '@agora/kit/testing';
import type { ApiKeyVerifier } from '../src/api-keys';
import { startGateway, type RunningGateway } from '../src/gateway';
import { countingSubgraph, post, sse, wsConnect, wsOperation } from './api-fixtures';

/**
 * The gateway's rate limits in one process (memory; the replicas' shared Redis limits are
 * tested in apps/embedded/test/api.distributed.test.ts): per client address for anonymous
 * callers, per user, per API key and per key's owner; HTTP 429 with RATE_LIMITED, Retry-After
 * and the RateLimit headers, on every transport, before any subgraph is called.
 */
describe('gateway rate limits', () => {
  let subgraph: Awaited<ReturnType<typeof countingSubgraph>>;
  let gateway: RunningGateway;
  let infra: Infra;
  let url: string;
  let tokens: Awaited<ReturnType<typeof testTokens>>;
  const owner = '00000000-0000-4000-8000-00000000000a';
  // Two keys of one owner, checked by a stand-in for the auth service.
  const keys: Record<string, string> = {
    [`agora_${'a'.repeat(43)}`]: 'key-a',
    [`agora_${'b'.repeat(43)}`]: 'key-b',
  };
  const apiKeys: ApiKeyVerifier = async (key) => {
    const apiKeyId = keys[key];
    if (!apiKeyId) return null;
    const viewer = { id: owner, roles: ['user' as const], apiKeyId };
    return { apiKeyId, viewer, accessToken: (await tokens.bearer(viewer)).slice('Bearer '.length) };
  };
  const query = '{ panels(first: 1) { edges { cursor } } }';

  beforeAll(async () => {
    subgraph = await countingSubgraph();
    infra = embeddedInfra();
    tokens = await testTokens();
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      log: createLogger('rate-limits-test'),
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      subgraphUrls: subgraph.urls,
      maxBodyBytes: 1_000_000,
      identify: tokens.identify,
      apiKeys,
      infra,
      rateLimits: { windowSeconds: 60, anonymous: 4, user: 5, apiKey: 3 },
    });
    url = gateway.graphqlUrl;
  });

  afterAll(async () => {
    await gateway?.close();
    await infra?.close();
    subgraph?.server.close();
  });

  it('limits anonymous callers by address on HTTP, WebSocket and SSE alike, then answers 429 with Retry-After', async () => {
    const first = await post(url, { query });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"address";q=4;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"address";r=3;t=\d+$/);

    // The second and third requests come over WebSocket and SSE: one budget for all transports.
    const socket: WebSocket = await wsConnect(url);
    expect((await wsOperation(socket, '1', { query })).type).toBe('next');
    const overSse = await sse(url, { body: { query } });
    expect(overSse.status).toBe(200);
    expect((await post(url, { query })).status).toBe(200);

    const before = subgraph.calls;
    const refused = await post(url, { query });
    expect(refused.status).toBe(429);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number), limit: 'address' },
      }),
    ]);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit')).toMatch(/^"address";r=0;t=\d+$/);

    const overWs = await wsOperation(socket, '2', { query });
    expect(overWs.type).toBe('error');
    expect(overWs.payload).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }),
    ]);
    const refusedSse = await sse(url, { body: { query } });
    expect(refusedSse.status).toBe(429);
    expect(refusedSse.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(subgraph.calls).toBe(before);
    socket.close();
  });

  it('limits a signed-in user by their id, not by the address', async () => {
    const bearer = await tokens.bearer({ id: '00000000-0000-4000-8000-00000000000b', roles: ['user'] });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(url, { query }, { authorization: bearer })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("limits an API key by itself and its owner together with all the owner's keys", async () => {
    const [keyA, keyB] = Object.keys(keys) as [string, string];
    const a = [];
    for (let i = 0; i < 4; i++) a.push((await post(url, { query }, { 'x-api-key': keyA })).status);
    // Key A has 3 requests a window.
    expect(a).toEqual([200, 200, 200, 429]);
    const refusedA = await post(url, { query }, { 'x-api-key': keyA });
    expect(refusedA.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'api-key' });
    // Key B has its own 3, but the owner's 5 are nearly spent (A's refused requests counted too).
    const b = await post(url, { query }, { authorization: `Bearer ${keyB}` });
    expect(b.status).toBe(429);
    expect(b.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'user' });
  });

  it('stops checking keys for an address after 30 failed authentications (key guessing)', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) {
      statuses.add((await post(url, { query }, { 'x-api-key': `agora_${String(i).padStart(43, 'z')}` })).status);
    }
    expect([...statuses]).toEqual([401]);
    const guess = await post(url, { query }, { 'x-api-key': `agora_${'y'.repeat(43)}` });
    expect(guess.status).toBe(429);
    expect(guess.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'auth-failures' });
  });
});
