import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { REPO_ROOT } from '@agora/kit/paths';
import { describeWithService } from '@agora/kit/testing';
import { analyze, mutationArgumentTags, responseTags } from '../src/response-cache/analyze';
import { invalidationOf } from '../src/response-cache/policy';
import { MemoryResponseStore, RedisResponseStore, type ResponseStore } from '../src/response-cache/store';

const schema = buildSchema(readFileSync(resolve(REPO_ROOT, 'schema/supergraph-api.graphql'), 'utf8'));

const PANEL = `query Panel($id: ID!) {
  panel(id: $id) { id name postCount
    posts(first: 2) { edges { node { id title author { id handle } commentCount
      comments(first: 3) { edges { node { id body author { id handle } } } } } } } } }`;

describe('which operations the response cache may keep', () => {
  it('keeps a panel read, as depending on the viewer (blocks hide authors from lists)', () => {
    const analysis = analyze(schema, PANEL, undefined);
    expect(analysis).toMatchObject({ kind: 'query', cacheable: true, viewerDependent: true });
  });

  it('keeps fields that are the same for everyone as public', () => {
    const analysis = analyze(schema, '{ panels(first: 5) { edges { node { id name slug } } } }', undefined);
    expect(analysis).toMatchObject({ kind: 'query', cacheable: true, viewerDependent: false });
  });

  it('keeps counts per viewer: they leave out the authors the viewer blocked', () => {
    for (const query of [
      '{ panels(first: 5) { edges { node { id postCount } } } }',
      '{ panel(slug: "p") { posts(first: 5) { edges { node { id commentCount } } } } }',
    ]) {
      expect(analyze(schema, query, undefined)).toMatchObject({ cacheable: true, viewerDependent: true });
    }
  });

  it.each([
    ['a field no event announces a change of', '{ user(handle: "ada") { id displayName } }'],
    [
      'a field outside the policy (another subgraph)',
      '{ user(handle: "ada") { id pictures { edges { node { id } } } } }',
    ],
    ['a deferred fragment', '{ panels { edges { node { id ... @defer { name } } } } }'],
    ['a fragment on an interface or another type', '{ panels { edges { node { id ... on Post { title } } } } }'],
    ['an unknown field', '{ panels { edges { node { nope } } } }'],
  ])('does not keep %s', (_what, query) => {
    expect(analyze(schema, query, undefined).cacheable).toBe(false);
  });

  it('reads named fragments and aliases', () => {
    const query = `query Q { a: panels(first: 1) { edges { node { ...P } } } }
      fragment P on Panel { key: id name }`;
    const analysis = analyze(schema, query, 'Q');
    expect(analysis.cacheable).toBe(true);
    const tags = responseTags(analysis, { a: { edges: [{ node: { key: 'p1', name: 'x' } }] } }, {});
    expect([...tags].sort()).toEqual(['Panel:?', 'Panel:p1']);
  });

  it('answers "other" for what does not parse, subscriptions and unknown operation names', () => {
    expect(analyze(schema, '{ panels {', undefined).kind).toBe('other');
    expect(analyze(schema, 'subscription { postAdded { id } }', undefined).kind).toBe('other');
    expect(analyze(schema, 'query A { panels { edges { cursor } } }', 'B').kind).toBe('other');
  });
});

describe('tags', () => {
  it('tags a response with every entity it holds, and the root field by its id argument', () => {
    const analysis = analyze(schema, PANEL, undefined);
    const data = {
      panel: {
        id: 'p1',
        name: 'General',
        postCount: 1,
        posts: {
          edges: [
            {
              node: {
                id: 'post1',
                title: 't',
                author: { id: 'u1', handle: 'ada' },
                commentCount: 1,
                comments: { edges: [{ node: { id: 'c1', body: 'b', author: { id: 'u2', handle: 'bob' } } }] },
              },
            },
          ],
        },
      },
    };
    expect([...responseTags(analysis, data, { id: 'p1' })].sort()).toEqual([
      'Comment:c1',
      'Panel:p1',
      'Post:post1',
      'User:u1',
      'User:u2',
    ]);
    // A panel not there (null) is still dropped when it appears.
    expect([...responseTags(analysis, { panel: null }, { id: 'p9' })]).toEqual(['Panel:p9']);
  });

  it('tags an entity whose id is not selected by its type', () => {
    const analysis = analyze(schema, '{ user(handle: "ada") { handle followerCount } }', undefined);
    expect([...responseTags(analysis, { user: { handle: 'ada', followerCount: 1 } }, {})]).toEqual(['User:?']);
  });

  it('names the entities a mutation writes from its arguments, nested inputs and variables', () => {
    const create = analyze(
      schema,
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      undefined,
    );
    expect([...mutationArgumentTags(create, { input: { panelId: 'p1', title: 't', body: 'b' } })].sort()).toEqual([
      'Panel:?',
      'Panel:p1',
    ]);
    const update = analyze(schema, 'mutation { updatePost(id: "post1", input: { title: "x" }) { id } }', undefined);
    expect([...mutationArgumentTags(update, {})].sort()).toEqual(['Post:?', 'Post:post1']);
    const comment = analyze(schema, 'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', undefined);
    expect([...mutationArgumentTags(comment, { i: { postId: 'post1', parentId: 'c0', body: 'b' } })].sort()).toEqual([
      'Comment:?',
      'Comment:c0',
      'Post:?',
      'Post:post1',
    ]);
  });

  it('maps the catalogue events to the entities they change', () => {
    const event = (type: string, data: object) => ({
      id: randomUUID(),
      type,
      version: '1.0',
      occurredAt: new Date().toISOString(),
      source: 'test',
      subject: 'x',
      data,
    });
    const post = { id: 'post1', panelId: 'p1', authorId: 'u1' };
    expect(invalidationOf('forum.posts', event('post.updated', post))).toEqual({
      tags: ['Post:post1', 'Post:?', 'Panel:p1', 'Panel:?', 'User:u1', 'User:?'],
      cooldown: false,
    });
    // The comments service keeps a copy of posts: a deletion cools the tags down.
    expect(invalidationOf('forum.posts', event('post.deleted', post)).cooldown).toBe(true);
    expect(invalidationOf('comments.comments', event('comment.created', { id: 'c1', postId: 'post1' })).tags).toEqual([
      'Comment:c1',
      'Comment:?',
      'Post:post1',
      'Post:?',
    ]);
    // A block changes everything the blocker sees: that viewer's whole scope goes.
    expect(invalidationOf('users.relations', event('user.blocked', { actorId: 'u1', targetId: 'u2' }))).toEqual({
      tags: ['User:u1', 'User:?', 'User:u2', 'viewer:u1'],
      cooldown: true,
    });
    expect(invalidationOf('somebody.else', event('x.happened', { id: 'x' })).tags).toEqual([]);
  });
});

/** What both stores must do; the Redis one also shares it between gateway replicas. */
function storeContract(open: () => ResponseStore) {
  let store: ResponseStore;
  beforeEach(() => (store = open()));
  afterEach(() => store.close());

  it('answers what was stored, until a tag it carries is invalidated', async () => {
    const { seq } = await store.lookup('k1');
    expect(await store.store('k1', 'body-1', ['Post:a', 'Panel:p'], seq, 60_000)).toBe(true);
    expect(await store.store('k2', 'body-2', ['Post:b'], seq, 60_000)).toBe(true);
    expect((await store.lookup('k1')).body).toBe('body-1');
    await store.invalidate(['Panel:p'], 0);
    expect((await store.lookup('k1')).body).toBeUndefined();
    expect((await store.lookup('k2')).body).toBe('body-2');
  });

  it('refuses an answer read before an invalidation of one of its tags', async () => {
    const before = (await store.lookup('k')).seq;
    await store.invalidate(['Post:a'], 0); // a write's invalidation while the read was on its way
    expect(await store.store('k', 'old', ['Post:a'], before, 60_000)).toBe(false);
    expect((await store.lookup('k')).body).toBeUndefined();
    // Other tags were not touched: an answer about them is kept.
    expect(await store.store('k', 'other', ['Post:b'], before, 60_000)).toBe(true);
    // A read begun after the invalidation may be kept.
    const after = (await store.lookup('k3')).seq;
    expect(await store.store('k3', 'new', ['Post:a'], after, 60_000)).toBe(true);
  });

  it('refuses entries with a cooling tag, whenever their read began', async () => {
    await store.invalidate(['Post:a'], 60_000);
    const { seq } = await store.lookup('k');
    expect(await store.store('k', 'x', ['Post:a'], seq, 60_000)).toBe(false);
    expect(await store.store('k', 'x', ['Post:b'], seq, 60_000)).toBe(true);
  });
}

describe('in-process response store', () => {
  storeContract(() => new MemoryResponseStore());

  it('keeps at most its maximum of entries and of text, dropping the oldest', async () => {
    const store = new MemoryResponseStore(2);
    for (const key of ['a', 'b', 'c']) await store.store(key, key, [`T:${key}`], 0, 60_000);
    expect((await store.lookup('a')).body).toBeUndefined();
    expect((await store.lookup('c')).body).toBe('c');
    expect(store.size).toBe(2);
    const small = new MemoryResponseStore(100, 10);
    for (const key of ['a', 'b', 'c']) await small.store(key, 'xxxx', [], 0, 60_000);
    expect([(await small.lookup('a')).body, small.size]).toEqual([undefined, 2]);
  });
});

describeWithService('REDIS_URL', 'Redis response store', (url) => {
  storeContract(() => new RedisResponseStore(url, { prefix: `test-rc-${randomUUID()}` }));
});
