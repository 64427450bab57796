import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, fetchExchange, gql as urqlGql } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { REPO_ROOT } from '@agora/kit/paths';
import { gql, STACK_START_TIMEOUT_MS, waitFor } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';

/**
 * Acceptance 6 of issue 14 over HTTP, on the embedded stack: automatic persisted queries (a
 * hash alone is unknown until the query was sent once with it), a query whose hash is not
 * its sha256 is refused, and the web app's registered documents (codegen's manifest, which
 * the gateway loads by default) run by their hash alone.
 */
describe('persisted operations through the gateway', () => {
  let stack: EmbeddedStack;
  let url: string;

  beforeAll(async () => {
    stack = await startEmbeddedStack({ gatewayPort: 0, subgraphPort: () => 0 });
    url = stack.gateway.graphqlUrl;
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.close();
  });

  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  interface Answer {
    status: number;
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  }

  const send = async (body: Record<string, unknown>): Promise<Answer> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
  };
  const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
  const codes = (answer: Answer) => (answer.errors ?? []).map((e) => e.extensions?.code);

  it('registers a query sent with its hash once, then answers the hash alone', async () => {
    // A text no other test sends, so no earlier registration can exist.
    const query = `query ApqRoundTrip${Date.now()} { panels(first: 1) { edges { cursor } } }`;
    const hash = sha256(query);

    const unknown = await send({ extensions: persisted(hash) });
    expect(codes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(unknown.data ?? null).toBeNull();

    const registered = await send({ query, extensions: persisted(hash) });
    expect(registered.errors).toBeUndefined();
    expect(registered.data).toEqual({ panels: { edges: expect.any(Array) } });

    const byHash = await send({ extensions: persisted(hash) });
    expect(byHash.status).toBe(200);
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual(registered.data);
  });

  it('refuses a query sent with a hash that is not its own, and registers nothing under it', async () => {
    const query = `query WrongHash${Date.now()} { panels(first: 1) { edges { cursor } } }`;
    const other = sha256(`${query} `);
    const answer = await send({ query, extensions: persisted(other) });
    expect(answer.status).toBe(400);
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]?.message).toBe('provided sha does not match query');
    expect(codes(await send({ extensions: persisted(other) }))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  const manifest = () =>
    JSON.parse(readFileSync(resolve(REPO_ROOT, 'web/src/__generated__/persisted-documents.json'), 'utf8')) as Record<
      string,
      string
    >;

  it("answers a document of the web app's manifest by its hash alone", async () => {
    const entry = Object.entries(manifest()).find(([, document]) => document.startsWith('query Panels('));
    if (!entry) throw new Error('the web manifest has no Panels query: run npm run codegen');
    const [hash, document] = entry;
    expect(sha256(document)).toBe(hash);

    const answer = await send({ operationName: 'Panels', variables: { first: 2 }, extensions: persisted(hash) });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      __typename: 'Query',
      panels: expect.objectContaining({ __typename: 'PanelConnection' }),
    });
  });

  describe('third-party clients', () => {
    const signUp = async () => {
      const handle = `tp${randomUUID().slice(0, 8)}`;
      const answer = await gql<{ register: { accessToken: string } }>(
        url,
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
        { input: { email: `${handle}@example.test`, password: 'Correct-horse-battery-9', handle } },
      );
      return answer.data!.register.accessToken;
    };
    const createPanel = async (token: string) => {
      const answer = await gql<{ createPanel: { id: string } }>(
        url,
        'mutation($n: String!) { createPanel(input: { name: $n }) { id } }',
        { n: `Third party ${randomUUID().slice(0, 8)}` },
        { authorization: `Bearer ${token}` },
      );
      return answer.data!.createPanel.id;
    };
    const createPost = (token: string, panelId: string, title: string) =>
      gql(
        url,
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId, title, body: 'From a third-party client' } },
        { authorization: `Bearer ${token}` },
      );

    it('urql with its default Accept and persisted queries: queries come back as JSON, a subscription as an event stream', async () => {
      // urql's fetchExchange accepts JSON and text/event-stream for every operation; the gateway
      // must not take its persisted queries for graphql-sse requests (which need the full text).
      const seen: { accept: string; contentType: string }[] = [];
      const client = new Client({
        url,
        // POSTs: like Apollo Router, the gateway's CSRF prevention refuses a GET that has no
        // preflight header (apollo-require-preflight), and urql sends none.
        preferGetMethod: false,
        exchanges: [persistedExchange({ preferGetForPersistedQueries: false }), fetchExchange],
        fetchSubscriptions: true,
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          seen.push({
            accept: new Headers(init?.headers).get('accept') ?? '',
            contentType: response.headers.get('content-type') ?? '',
          });
          return response;
        },
      });
      const query = urqlGql`
        query ThirdPartyPanels($first: Int!) {
          panels(first: $first) {
            edges {
              cursor
            }
          }
        }
      `;
      const first = await client.query(query, { first: 1 }).toPromise();
      expect(first.error).toBeUndefined();
      expect(first.data).toEqual({ panels: { edges: expect.any(Array) } });
      // Sent by hash alone first (unknown, so again with the text); the next time by hash alone.
      const again = await client.query(query, { first: 1 }, { requestPolicy: 'network-only' }).toPromise();
      expect(again.error).toBeUndefined();
      expect(again.data).toEqual(first.data);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      for (const call of seen) {
        expect(call.accept).toContain('text/event-stream');
        expect(call.contentType).toMatch(/json/);
      }

      const token = await signUp();
      const panelId = await createPanel(token);
      const titles: string[] = [];
      const subscription = urqlGql`
        subscription ThirdPartyPosts($panelId: ID) {
          postAdded(panelId: $panelId) {
            title
          }
        }
      `;
      seen.length = 0;
      const { unsubscribe } = client.subscription(subscription, { panelId }).subscribe((result) => {
        if (result.data) titles.push((result.data as { postAdded: { title: string } }).postAdded.title);
      });
      try {
        // Live before the post: keep posting markers until one arrives.
        await waitFor('the subscription live', async () => {
          await createPost(token, panelId, `marker ${randomUUID()}`);
          return titles.length > 0;
        });
        await createPost(token, panelId, 'After the marker');
        await waitFor('the post over the event stream', () => titles.includes('After the marker'));
        expect(seen.some((call) => call.contentType.startsWith('text/event-stream'))).toBe(true);
      } finally {
        unsubscribe();
      }
    }, 60_000);

    const wsClient = () =>
      createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });

    it('graphql-ws: a registered subscription by its persisted id alone (the query left empty)', async () => {
      const entry = Object.entries(manifest()).find(([, document]) =>
        document.includes('subscription PanelPostAdded('),
      );
      if (!entry) throw new Error('the web manifest has no PanelPostAdded subscription: run npm run codegen');
      const [hash] = entry;
      const token = await signUp();
      const panelId = await createPanel(token);
      const client = wsClient();
      const results: unknown[] = [];
      const errors: unknown[] = [];
      const stop = client.subscribe(
        { query: '', extensions: persisted(hash), variables: { panelId } },
        {
          next: (result) => void results.push(result),
          error: (error) => void errors.push(error),
          complete: () => undefined,
        },
      );
      try {
        await waitFor('the subscription live', async () => {
          await createPost(token, panelId, `marker ${randomUUID()}`);
          return results.length > 0 || errors.length > 0;
        });
        expect(errors).toEqual([]);
        expect(results[0]).toEqual({
          data: { postAdded: expect.objectContaining({ title: expect.stringMatching(/^marker /) }) },
        });
      } finally {
        stop();
        await client.dispose();
      }
    }, 60_000);

    it('graphql-ws: an unknown persisted id gets PERSISTED_QUERY_NOT_FOUND for that operation; the socket stays open', async () => {
      const client = wsClient();
      const refused = await new Promise<unknown>((done) =>
        client.subscribe(
          { query: '', extensions: persisted(sha256(`unknown ${randomUUID()}`)) },
          { next: (result) => done(result), error: (error) => done(error), complete: () => undefined },
        ),
      );
      expect(refused).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }) }),
      ]);
      // The same connection still runs an operation.
      const answer = await new Promise<unknown>((done, fail) =>
        client.subscribe(
          { query: '{ panels(first: 1) { edges { cursor } } }' },
          { next: done, error: fail, complete: () => undefined },
        ),
      );
      expect(answer).toEqual({ data: { panels: { edges: expect.any(Array) } } });
      await client.dispose();
    }, 30_000);

    it('graphql-sse: a registered subscription by its persisted id alone', async () => {
      const entry = Object.entries(manifest()).find(([, document]) =>
        document.includes('subscription PanelPostAdded('),
      );
      const [hash] = entry!;
      const token = await signUp();
      const panelId = await createPanel(token);
      const controller = new AbortController();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ extensions: persisted(hash), variables: { panelId } }),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      let text = '';
      const reading = (async () => {
        const decoder = new TextDecoder();
        for await (const chunk of response.body!) text += decoder.decode(chunk as Uint8Array);
      })().catch(() => undefined);
      try {
        await waitFor('a post over the stream', async () => {
          await createPost(token, panelId, `marker ${randomUUID()}`);
          return /"postAdded"/.test(text);
        });
        expect(text).toMatch(/"title":"marker /);
      } finally {
        controller.abort();
        await reading;
      }
    }, 60_000);
  });
});
