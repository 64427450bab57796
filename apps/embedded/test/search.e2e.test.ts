import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { codes, gql, waitFor, type GraphQLResponse } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';
import { SEARCH_THROUGH_GATEWAY, type SearchData } from './search-query';

/** The gateway's search, from one write to the next, as in the product: register, post, find. */
describe('search through the gateway (embedded)', () => {
  let stack: EmbeddedStack;
  let url: string;
  const accounts: Record<string, { id: string; token: string }> = {};
  let panelId: string;

  const call = <D = Record<string, unknown>>(who: string | null, query: string, variables?: Record<string, unknown>) =>
    gql<D>(url, query, variables, who ? { authorization: `Bearer ${accounts[who]!.token}` } : {});
  const ok = <D>(res: GraphQLResponse<D>): D => {
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const search = async (who: string | null, q: string, args: { types?: string[]; tags?: string[] } = {}) =>
    ok(await call<SearchData>(who, SEARCH_THROUGH_GATEWAY, { q, ...args })).search;
  /** Polls the search until `check` holds; fails after `ms` (the acceptance bound), returns how long it took. */
  const within = async (ms: number, what: string, check: () => Promise<boolean>): Promise<number> => {
    const started = Date.now();
    await waitFor(what, check, ms);
    return Date.now() - started;
  };

  beforeAll(async () => {
    stack = await startEmbeddedStack({
      dataDir: mkdtempSync(join(tmpdir(), 'agora-search-e2e-')),
      gatewayPort: 0,
      subgraphPort: () => 0,
    });
    url = stack.gateway.graphqlUrl;
    for (const handle of ['sally', 'sam', 'sue']) {
      const res = ok(
        await call<{ register: { accessToken: string; user: { id: string } } }>(
          null,
          'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
          { input: { email: `${handle}@example.com`, password: 'Correct-horse-battery-9', handle } },
        ),
      );
      accounts[handle] = { id: res.register.user.id, token: res.register.accessToken };
    }
    panelId = ok(
      await call<{ createPanel: { id: string } }>(
        'sally',
        'mutation { createPanel(input: { name: "Astronomy" }) { id } }',
      ),
    ).createPanel.id;
  }, 120_000);
  afterAll(() => stack?.close());

  it('finds a post created through the gateway by a word of its body within 2 s, highlighted, with its author', async () => {
    const created = ok(
      await call<{ createPost: { id: string } }>(
        'sally',
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        {
          input: {
            panelId,
            title: 'Seeing Saturn tonight',
            body: 'The rings of Saturn are visible through a small refractor telescope after midnight.',
            tags: ['Planets'],
          },
        },
      ),
    ).createPost;
    const tookMs = await within(2_000, 'the post in search', async () =>
      (await search(null, 'refractor')).edges.some((e) => e.node.id === created.id),
    );
    const found = await search(null, 'refractor');
    expect(found.totalCount).toBe(1);
    expect(found.edges[0]).toMatchObject({
      highlight: expect.stringContaining('small <mark>refractor</mark> telescope'),
      node: {
        __typename: 'Post',
        id: created.id,
        title: 'Seeing Saturn tonight',
        tags: ['planets'],
        author: { handle: 'sally' },
        panel: { name: 'Astronomy' },
      },
    });
    expect(tookMs).toBeLessThan(2_000);
  });

  it('reflects an edit and a deletion within 2 s', async () => {
    const { createPost } = ok(
      await call<{ createPost: { id: string } }>(
        'sally',
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId, title: 'Comet watch', body: 'Looking for the periodic comet with binoculars.' } },
      ),
    );
    await within(2_000, 'the new post', async () => (await search(null, 'binoculars')).totalCount === 1);
    ok(
      await call(
        'sally',
        'mutation($id: ID!) { updatePost(id: $id, input: { body: "Now with a dobsonian." }) { id } }',
        {
          id: createPost.id,
        },
      ),
    );
    await within(2_000, 'the edit', async () => (await search(null, 'dobsonian')).totalCount === 1);
    expect((await search(null, 'binoculars')).totalCount).toBe(0);
    ok(await call('sally', 'mutation($id: ID!) { deletePost(id: $id) }', { id: createPost.id }));
    await within(2_000, 'the deletion', async () => (await search(null, 'dobsonian')).totalCount === 0);
  });

  it('returns comments, pictures and people resolved by their own subgraphs; typos, filters and blocks hold', async () => {
    const post = ok(
      await call<{ createPost: { id: string } }>(
        'sally',
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId, title: 'Nebula photography', body: 'Long exposures of the nebula.', tags: ['imaging'] } },
      ),
    ).createPost;
    ok(
      await call('sam', 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
        input: { postId: post.id, body: 'Which nebula filter did you use?' },
      }),
    );
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#112233' } })
      .png()
      .toBuffer();
    ok(
      await call('sam', 'mutation($input: UploadPictureInput!) { uploadPicture(input: $input) { id } }', {
        input: {
          title: 'Orion nebula',
          tags: ['imaging'],
          dataBase64: png.toString('base64'),
          contentType: 'image/png',
        },
      }),
    );
    ok(
      await call(
        'sue',
        'mutation { updateProfile(input: { displayName: "Sue Nebula", bio: "Amateur astronomer" }) { id } }',
      ),
    );
    await within(10_000, 'four kinds of result', async () => (await search(null, 'nebula')).totalCount === 4);
    const byType = Object.fromEntries((await search(null, 'nebula')).edges.map((e) => [e.node.__typename, e.node]));
    expect(byType.Post).toMatchObject({ title: 'Nebula photography', author: { handle: 'sally' } });
    expect(byType.Comment).toMatchObject({ author: { handle: 'sam' }, post: { title: 'Nebula photography' } });
    expect(byType.Picture).toMatchObject({ title: 'Orion nebula', status: 'READY', owner: { handle: 'sam' } });
    expect(byType.User).toMatchObject({ handle: 'sue', displayName: 'Sue Nebula' });

    const typo = await search(null, 'nebulla');
    expect(typo.correctedQuery).toBe('nebula');
    expect(typo.totalCount).toBe(4);
    const filtered = await search(null, 'nebula', { types: ['PICTURE', 'POST'], tags: ['imaging'] });
    expect(filtered.edges.map((e) => e.node.__typename).sort()).toEqual(['Picture', 'Post']);

    ok(await call('sue', 'mutation($id: ID!) { block(userId: $id) { id } }', { id: accounts.sally!.id }));
    // The forum hides her post from sue at once (its node, and that of sam's comment under it,
    // resolve to null); the search index drops both once users.relations reaches it.
    await within(2_000, "sally's post gone for sue", async () => {
      const { edges, totalCount } = await search('sue', 'nebula');
      return totalCount === 2 && edges.every((e) => e.node !== null && e.node.__typename !== 'Post');
    });
    expect((await search('sue', 'nebula')).edges.map((e) => e.node.__typename).sort()).toEqual(['Picture', 'User']);
    expect((await search('sam', 'nebula')).totalCount).toBe(4);
    expect((await search(null, 'nebula')).totalCount).toBe(4);
  });

  it('refuses an empty or a 1 000-character query with BAD_USER_INPUT', async () => {
    expect(codes(await call(null, SEARCH_THROUGH_GATEWAY, { q: '' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await call(null, SEARCH_THROUGH_GATEWAY, { q: 'x'.repeat(1_000) }))).toEqual(['BAD_USER_INPUT']);
    const tags = ok(await call<{ tagSuggestions: unknown[] }>(null, '{ tagSuggestions(prefix: "pla") { tag count } }'));
    expect(tags.tagSuggestions).toEqual([{ tag: 'planets', count: 1 }]);
  });
});
