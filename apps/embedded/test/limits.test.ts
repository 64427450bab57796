import { resolve } from 'node:path';
import type WebSocket from 'ws';
import { forumService } from '@agora/forum/service';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import { REPO_ROOT } from '@agora/kit/paths';
import { startServiceForTest, testTokens, type ServiceUnderTest } from '@agora/kit/testing';
import { startGateway, type RunningGateway } from '@agora/gateway/gateway';
import {
  ATTACKS,
  countingSubgraph,
  post,
  sse,
  wsConnect,
  wsOperation,
  type Answer,
} from '../../../gateway/test/api-fixtures';

/**
 * Acceptance 3 and 5 of issue 14: every attack is refused with a code on HTTP, WebSocket and
 * SSE before any subgraph is called (a counting stand-in subgraph proves it), a subgraph
 * reached directly refuses them too, and client mistakes are 4xx with a code, never a 500
 * (nor a closed WebSocket).
 */
describe('operation limits and client mistakes', () => {
  let subgraph: Awaited<ReturnType<typeof countingSubgraph>>;
  let gateway: RunningGateway;
  let infra: Infra;
  let url: string;
  let bearer: string;
  let socket: WebSocket;
  let forum: ServiceUnderTest;

  beforeAll(async () => {
    subgraph = await countingSubgraph();
    infra = embeddedInfra();
    const tokens = await testTokens();
    bearer = await tokens.bearer({ id: '00000000-0000-4000-8000-000000000001', roles: ['user'] });
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      log: createLogger('limits-test'),
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      subgraphUrls: subgraph.urls,
      maxBodyBytes: 15 * 1024 * 1024,
      identify: tokens.identify,
      infra,
      rateLimits: false,
    });
    url = gateway.graphqlUrl;
    socket = await wsConnect(url);
    forum = await startServiceForTest(forumService);
  });

  afterAll(async () => {
    socket?.close();
    await forum?.close();
    await gateway?.close();
    await infra?.close();
    subgraph?.server.close();
  });

  const codesOf = (answer: Answer['body']) => (answer.errors ?? []).map((e) => e.extensions?.code);
  const limitsOf = (answer: Answer['body']) => (answer.errors ?? []).map((e) => e.extensions?.limit).filter(Boolean);

  describe.each(Object.entries(ATTACKS))('the %s attack', (_name, attack) => {
    const expectRefused = (body: Answer['body']) => {
      expect(codesOf(body)).toContain(attack.code);
      if (attack.limit) expect(limitsOf(body)).toContain(attack.limit);
      expect(body.data ?? null).toBeNull();
    };

    it('is refused over HTTP with 400 and a code, no subgraph called', async () => {
      const before = subgraph.calls;
      const answer = await post(url, { query: attack.query });
      expect(answer.status).toBe(400);
      expectRefused(answer.body);
      expect(subgraph.calls).toBe(before);
    });

    it('is refused over WebSocket with an error message, the socket still open', async () => {
      const before = subgraph.calls;
      const message = await wsOperation(socket, `attack-${_name}`, { query: attack.query });
      expect(message.type).toBe('error');
      expectRefused({ errors: message.payload as never });
      expect(socket.readyState).toBe(socket.OPEN);
      expect(subgraph.calls).toBe(before);
    });

    it('is refused over SSE with 400 and a code, no subgraph called', async () => {
      const before = subgraph.calls;
      const answer = await sse(url, { body: { query: attack.query } });
      expect(answer.status).toBe(400);
      expectRefused(answer.body);
      expect(subgraph.calls).toBe(before);
    });

    it('is refused by a subgraph reached directly', async () => {
      const answer = await post(forum.service.graphqlUrl, { query: attack.query });
      expect(answer.status).toBe(400);
      expectRefused(answer.body);
    });
  });

  it('runs an operation within the limits on HTTP and WebSocket, and then calls the subgraph', async () => {
    const query = '{ panels(first: 5) { edges { node { id } } } }';
    const before = subgraph.calls;
    expect((await post(url, { query })).body).toEqual({ data: { panels: { edges: [] } } });
    const message = await wsOperation(socket, 'fine', { query });
    expect(message).toMatchObject({ type: 'next', payload: { data: { panels: { edges: [] } } } });
    expect(subgraph.calls).toBe(before + 2);
  });

  it('returns the estimated cost in extensions when asked, on HTTP and WebSocket', async () => {
    const query = '{ panels(first: 5) { edges { node { id name } } } }';
    // panels (1) + 5 edges × (edge 1 + node 1) = 11; the anonymous ceiling is 2 000.
    const answer = await post(url, { query, extensions: { cost: true } });
    expect(answer.body.extensions).toEqual({ cost: { estimated: 11, max: 2_000 } });
    expect((await post(url, { query })).body.extensions).toBeUndefined();
    const signedIn = await post(url, { query, extensions: { cost: true } }, { authorization: bearer });
    expect(signedIn.body.extensions).toEqual({ cost: { estimated: 11, max: 5_000 } });
    const message = await wsOperation(socket, 'cost', { query, extensions: { cost: true } });
    expect(message.payload).toMatchObject({ extensions: { cost: { estimated: 11, max: 2_000 } } });
  });

  it('gives a signed-in caller a higher cost ceiling than an anonymous one', async () => {
    // 1 + 50 × (1 + 1 + 1 + 20 × 2) = 2 151: over the anonymous 2 000, under the user's 5 000.
    const query = '{ panels(first: 50) { edges { node { createdBy { id } posts { edges { node { id } } } } } } }';
    expect(codesOf((await post(url, { query })).body)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect((await post(url, { query }, { authorization: bearer })).status).toBe(200);
  });

  describe('client mistakes are 4xx with a code, never 500', () => {
    const mistakes: Record<string, { body: Record<string, unknown>; code: string }> = {
      'an unknown operationName': {
        body: { query: 'query A { __typename } query B { __typename }', operationName: 'C' },
        code: 'BAD_USER_INPUT',
      },
      'several operations, none named': {
        body: { query: 'query A { __typename } query B { __typename }' },
        code: 'BAD_USER_INPUT',
      },
      'a NUL byte in a variable': {
        body: {
          query: 'mutation($input: CreatePanelInput!) { createPanel(input: $input) { id } }',
          variables: { input: { name: 'bad\u0000name' } },
        },
        code: 'BAD_USER_INPUT',
      },
      'a NUL byte in a string literal': {
        body: { query: 'mutation { createPanel(input: { name: "nul\\u0000name" }) { id } }' },
        code: 'BAD_USER_INPUT',
      },
    };

    it.each(Object.entries(mistakes))('%s: HTTP 400, no subgraph called', async (_name, mistake) => {
      const before = subgraph.calls;
      const answer = await post(url, mistake.body);
      expect(answer.status).toBe(400);
      expect(codesOf(answer.body)).toEqual([mistake.code]);
      expect(subgraph.calls).toBe(before);
    });

    it.each(Object.entries(mistakes))('%s: an error message on WebSocket, the socket still open', async (name, m) => {
      const message = await wsOperation(socket, `mistake-${name}`, m.body);
      expect(message.type).toBe('error');
      expect((message.payload as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code)).toEqual([
        m.code,
      ]);
      expect(socket.readyState).toBe(socket.OPEN);
    });

    it.each(Object.entries(mistakes))('%s: 400 over SSE', async (_name, mistake) => {
      const answer = await sse(url, { body: mistake.body });
      expect(answer.status).toBe(400);
      expect(codesOf(answer.body)).toEqual([mistake.code]);
    });

    it.each(Object.entries(mistakes))('%s: 400 at a subgraph reached directly', async (_name, mistake) => {
      const answer = await post(forum.service.graphqlUrl, mistake.body);
      expect(answer.status).toBe(400);
      expect(codesOf(answer.body)).toEqual([mistake.code]);
    });

    it('a bad token: 401 UNAUTHENTICATED at the gateway and at a subgraph', async () => {
      for (const target of [url, forum.service.graphqlUrl]) {
        const answer = await post(target, { query: '{ __typename }' }, { authorization: 'Bearer not.a.token' });
        expect(answer.status).toBe(401);
        expect(codesOf(answer.body)).toEqual(['UNAUTHENTICATED']);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    });
  });

  describe('SSE is read-only over GET and safe from cross-site posts', () => {
    it('refuses a mutation sent as an SSE GET with 405, running nothing', async () => {
      const before = subgraph.calls;
      const answer = await sse(url, {
        method: 'GET',
        search: { query: 'mutation { createPanel(input: { name: "csrf" }) { id } }' },
      });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
      expect(codesOf(answer.body)).toEqual(['BAD_REQUEST']);
      expect(subgraph.calls).toBe(before);
    });

    it('refuses a query sent as an SSE GET too: GET only subscribes', async () => {
      const answer = await sse(url, { method: 'GET', search: { query: '{ panels { edges { cursor } } }' } });
      expect(answer.status).toBe(405);
    });

    it('refuses an SSE POST that is not application/json (a CORS-simple request) with 415', async () => {
      const before = subgraph.calls;
      const answer = await sse(url, {
        body: { query: 'mutation { createPanel(input: { name: "csrf" }) { id } }' },
        headers: { 'content-type': 'text/plain; charset=application/json' },
      });
      expect(answer.status).toBe(415);
      expect(subgraph.calls).toBe(before);
    });
  });
});
