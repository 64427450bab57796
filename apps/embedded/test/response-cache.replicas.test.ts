import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startEmbeddedStack, type EmbeddedStack } from '@agora/embedded/stack';
import { remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import type { Consumer, EventEnvelope } from '@agora/kit/events/port';
import { createLogger } from '@agora/kit/log';
import { describeWithService, gql, waitFor, type GraphQLResponse } from '@agora/kit/testing';
import { gatewayConfig } from '@agora/gateway/config';
import { startGateway, type RunningGateway } from '@agora/gateway/gateway';

interface Account {
  id: string;
  handle: string;
  token: string;
}

interface PanelPage {
  panel: {
    id: string;
    postCount: number;
    posts: { edges: { node: { id: string; title: string; commentCount: number; author: { id: string } } }[] };
  };
}

const PANEL_PAGE = `query Page($id: ID!) { panel(id: $id) { id postCount posts(first: 20) { edges { node {
  id title commentCount author { id handle } comments(first: 3) { edges { node { id body author { id } } } } } } } } }`;

/**
 * Issue 16, acceptance 3: the response cache is shared by two gateway replicas (Redis), over
 * one set of subgraphs (embedded, their events on the in-process log, which each replica
 * consumes with a group of its own). Writes through one replica are never read back old
 * through the other, once the write has answered or its event has been applied; responses
 * that depend on the viewer are never served to another viewer.
 */
describeWithService('REDIS_URL', 'response cache shared by two gateway replicas', (redisUrl) => {
  const log = createLogger('response-cache-test');
  let stack: EmbeddedStack;
  const replicas: RunningGateway[] = [];
  let a: RunningGateway;
  let b: RunningGateway;
  let forumUrl: string;
  let alice: Account;
  let bob: Account;
  let carol: Account;
  let panelId: string;

  const call = async <D = Record<string, unknown>>(
    url: string,
    who: Account | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<D> => {
    const res: GraphQLResponse<D> = await gql<D>(
      url,
      query,
      variables,
      who ? { authorization: `Bearer ${who.token}` } : {},
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  /** A read through a replica, with the cache's verdict (hit, miss, shared). */
  const read = async (gateway: RunningGateway, who: Account | null) => {
    const response = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(who ? { authorization: `Bearer ${who.token}` } : {}) },
      body: JSON.stringify({ query: PANEL_PAGE, variables: { id: panelId } }),
    });
    const body = (await response.json()) as { data: PanelPage; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return { page: body.data.panel, cache: response.headers.get('x-agora-cache') };
  };
  const titleOf = (page: PanelPage['panel'], postId: string) =>
    page.posts.edges.find((e) => e.node.id === postId)?.node.title;
  const register = async (handle: string): Promise<Account> => {
    const data = await call<{ register: { accessToken: string; user: { id: string } } }>(
      stack.gateway.graphqlUrl,
      null,
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
      { input: { email: `${handle}@example.com`, password: 'Correct-horse-battery-9', handle } },
    );
    return { id: data.register.user.id, handle, token: data.register.accessToken };
  };
  const createPost = async (url: string, who: Account, title: string) =>
    (
      await call<{ createPost: { id: string } }>(
        url,
        who,
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId, title, body: `${title}, the body` } },
      )
    ).createPost.id;
  const updateTitle = (url: string, who: Account, id: string, title: string) =>
    call(url, who, 'mutation($id: ID!, $t: String!) { updatePost(id: $id, input: { title: $t }) { id title } }', {
      id,
      t: title,
    });

  beforeAll(async () => {
    stack = await startEmbeddedStack({ gatewayPort: 0, subgraphPort: () => 0, env: { RESPONSE_CACHE: 'off' } });
    const config = gatewayConfig({});
    const auth = stack.services.find((s) => s.name === 'auth')!;
    forumUrl = stack.services.find((s) => s.name === 'forum')!.graphqlUrl;
    const redisPrefix = `test-rc-${randomUUID()}`;
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await startGateway({
          host: '127.0.0.1',
          port: 0,
          log,
          supergraphPath: config.SUPERGRAPH_PATH,
          subgraphUrls: Object.fromEntries(stack.services.map((s) => [s.name, s.graphqlUrl])),
          maxBodyBytes: config.MAX_BODY_BYTES,
          maxDepth: config.MAX_QUERY_DEPTH,
          identify: tokenIdentifier(remoteKeys(`${auth.url}/.well-known/jwks.json`)),
          infra: stack.infra,
          responseCache: { redisUrl, redisPrefix },
          persistedDocuments: config.persistedDocuments,
        }),
      );
    }
    [a, b] = replicas as [RunningGateway, RunningGateway];
    alice = await register('alice');
    bob = await register('bob');
    carol = await register('carol');
    panelId = (
      await call<{ createPanel: { id: string } }>(
        a.graphqlUrl,
        alice,
        'mutation { createPanel(input: { name: "Cached" }) { id } }',
      )
    ).createPanel.id;
  }, 120_000);

  afterAll(async () => {
    for (const gateway of replicas) await gateway.close();
    await stack?.close();
  });

  it('serves a repeated public read from the cache, and a write through one replica is read back new through the other', async () => {
    const postId = await createPost(a.graphqlUrl, alice, 'first title');
    // Events of the writes may still be arriving (each drops what the read found): read until kept.
    const cached = await waitFor('a cached answer', async () => {
      const answer = await read(b, null);
      return answer.cache === 'hit' ? answer : null;
    });
    expect(titleOf(cached!.page, postId)).toBe('first title');

    await updateTitle(a.graphqlUrl, alice, postId, 'second title');
    const after = await read(b, null);
    expect(titleOf(after.page, postId)).toBe('second title');

    // A comment and a new post through A: the count and the list through B.
    await call(a.graphqlUrl, bob, 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
      input: { postId, body: 'a comment' },
    });
    const counted = await read(b, null);
    expect(counted.page.posts.edges.find((e) => e.node.id === postId)?.node.commentCount).toBe(1);
    const second = await createPost(a.graphqlUrl, bob, 'another post');
    const listed = await read(b, null);
    expect(listed.page.postCount).toBe(2);
    expect(titleOf(listed.page, second)).toBe('another post');
  });

  it('never reads the old value through B once the event of a write made behind the gateways is applied', async () => {
    const postId = await createPost(a.graphqlUrl, alice, 'before');
    await waitFor('a cached answer', async () => (await read(b, null)).cache === 'hit');
    // The write goes to the forum subgraph itself: no gateway sees the mutation, only its event.
    const seen: EventEnvelope[] = [];
    const consumer: Consumer = await stack.infra.events.subscribe({
      group: `test-${randomUUID()}`,
      topics: ['forum.posts'],
      handle: async (event) => void seen.push(event),
    });
    try {
      await updateTitle(forumUrl, alice, postId, 'after');
      const event = await waitFor('the post.updated event', () =>
        seen.find((e) => e.type === 'post.updated' && (e.data as { title: string }).title === 'after'),
      );
      await b.responseCache!.whenApplied(event!.id);
      expect(titleOf((await read(b, null)).page, postId)).toBe('after');
      await a.responseCache!.whenApplied(event!.id);
      expect(titleOf((await read(a, null)).page, postId)).toBe('after');
    } finally {
      await consumer.stop();
    }
  });

  it('never answers a read begun after a write answered with the old value, under concurrent reads', async () => {
    const postId = await createPost(a.graphqlUrl, alice, 'v0');
    let acknowledged = 0;
    let stop = false;
    const stale: string[] = [];
    let reads = 0;
    const reader = async (gateway: RunningGateway) => {
      while (!stop) {
        const expected = acknowledged;
        const title = titleOf((await read(gateway, null)).page, postId)!;
        reads += 1;
        if (Number(title.slice(1)) < expected) stale.push(`${title} read after v${expected} was acknowledged`);
      }
    };
    const readers = [reader(b), reader(b), reader(a), reader(b)];
    for (let version = 1; version <= 15; version++) {
      await updateTitle(version % 2 ? a.graphqlUrl : b.graphqlUrl, alice, postId, `v${version}`);
      acknowledged = version;
    }
    stop = true;
    await Promise.all(readers);
    expect(reads).toBeGreaterThan(15);
    expect(stale).toEqual([]);
  });

  it('keeps what depends on the viewer to that viewer: a blocker never gets the public page, nor anyone the blocker’s', async () => {
    const bobsPost = await createPost(a.graphqlUrl, bob, 'by bob');
    await call(a.graphqlUrl, carol, 'mutation($id: ID!) { block(userId: $id) { id } }', { id: bob.id });
    // The forum applies the block from its event: wait for it at the subgraph (no cache there).
    await waitFor('the block to reach the forum', async () => {
      const page = await call<PanelPage>(
        forumUrl,
        carol,
        'query($id: ID!) { panel(id: $id) { posts(first: 20) { edges { node { id } } } } }',
        { id: panelId },
      );
      return page && !page.panel.posts.edges.some((e) => e.node.id === bobsPost);
    });
    const hidden = (page: PanelPage['panel']) => !page.posts.edges.some((e) => e.node.id === bobsPost);
    for (let round = 0; round < 2; round++) {
      for (const gateway of [a, b]) {
        expect(hidden((await read(gateway, carol)).page)).toBe(true);
        expect(hidden((await read(gateway, null)).page)).toBe(false);
        expect(hidden((await read(gateway, alice)).page)).toBe(false);
      }
    }
    // From the cache too, each viewer from their own entry.
    for (const who of [carol, alice]) {
      const cached = await waitFor('a cached answer', async () => {
        const answer = await read(b, who);
        return answer.cache === 'hit' ? answer : null;
      });
      expect(hidden(cached!.page)).toBe(who === carol);
    }

    const BLOCKED = 'query($id: ID!) { user(id: $id) { id viewerHasBlocked } }';
    for (let round = 0; round < 2; round++) {
      expect(await call(b.graphqlUrl, carol, BLOCKED, { id: bob.id })).toEqual({
        user: { id: bob.id, viewerHasBlocked: true },
      });
      expect(await call(b.graphqlUrl, alice, BLOCKED, { id: bob.id })).toEqual({
        user: { id: bob.id, viewerHasBlocked: false },
      });
      expect(await call(a.graphqlUrl, null, BLOCKED, { id: bob.id })).toEqual({
        user: { id: bob.id, viewerHasBlocked: false },
      });
    }
  });

  it("caches the web app's registered documents sent by id alone, as their text would be", async () => {
    const manifest = JSON.parse(
      readFileSync(resolve(__dirname, '../../../web/src/__generated__/persisted-documents.json'), 'utf8'),
    ) as Record<string, string>;
    const [hash] = Object.entries(manifest).find(([, document]) => document.startsWith('query Panels('))!;
    const byId = async () => {
      const response = await fetch(a.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          variables: { first: 7 },
          extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
        }),
      });
      const body = (await response.json()) as { data?: { panels: { edges: unknown[] } }; errors?: unknown };
      return {
        ok: body.errors === undefined && Array.isArray(body.data?.panels.edges),
        cache: response.headers.get('x-agora-cache'),
      };
    };
    expect(await byId()).toEqual({ ok: true, cache: 'miss' });
    expect(await byId()).toEqual({ ok: true, cache: 'hit' });
  });

  it('does not keep an answer whose root is null: what is not there yet may arrive without a tag to drop it by', async () => {
    const missing = async () => {
      const response = await fetch(a.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ panel(slug: "not-there-yet") { id name } }' }),
      });
      const body = (await response.json()) as { data: { panel: null } };
      return { panel: body.data.panel, cache: response.headers.get('x-agora-cache') };
    };
    expect(await missing()).toEqual({ panel: null, cache: 'miss' });
    expect(await missing()).toEqual({ panel: null, cache: 'miss' });
  });

  it('refuses a bad token’s request with the cache on, as without it', async () => {
    const res = await gql(b.graphqlUrl, PANEL_PAGE, { id: panelId }, { authorization: 'Bearer not-a-token' });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
