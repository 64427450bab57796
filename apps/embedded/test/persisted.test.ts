import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '@agora/kit/paths';
import { STACK_START_TIMEOUT_MS } from '@agora/kit/testing';
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

  it("answers a document of the web app's manifest by its hash alone", async () => {
    const manifest = JSON.parse(
      readFileSync(resolve(REPO_ROOT, 'web/src/__generated__/persisted-documents.json'), 'utf8'),
    ) as Record<string, string>;
    const entry = Object.entries(manifest).find(([, document]) => document.startsWith('query Panels('));
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
});
