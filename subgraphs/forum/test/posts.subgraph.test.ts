import { randomUUID } from 'node:crypto';
import type { Cache } from '@agora/kit/cache/port';
import { newEvent } from '@agora/kit/events/port';
import { embeddedInfra } from '@agora/kit/infra';
import { sleep, waitFor, FlakyEventLog, codes, collectDeadLetters } from '@agora/kit/testing';
import { collectEvents, ForumUnderTest, newUser, type PostView } from './harness';

const alice = newUser();
const bob = newUser();
const carol = newUser();
const admin = newUser(['admin']);

describe('forum subgraph: posts', () => {
  let forum: ForumUnderTest;
  let panelId: string;
  const write = async (title: string, viewer = alice, tags?: string[]) => {
    const res = await forum.createPost(viewer, { panelId, title, body: `About ${title}`, tags });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.createPost;
  };

  beforeAll(async () => {
    forum = await ForumUnderTest.start();
    panelId = (await forum.createPanel(alice, 'Posts Panel')).data!.createPanel.id;
  });
  afterAll(() => forum.close());

  it('creates a post in a panel, with normalised tags, and counts it', async () => {
    const post = await write('Hello world', alice, ['  TypeScript ', 'graphql', 'typescript', 'Open   Source']);
    expect(post).toEqual({
      id: expect.any(String),
      title: 'Hello world',
      body: 'About Hello world',
      tags: ['typescript', 'graphql', 'open source'],
      createdAt: expect.any(String),
      updatedAt: post.createdAt,
      author: { id: alice.id },
      panel: { id: panelId, postCount: 1 },
    });
    expect(await forum.post(null, post.id)).toEqual(post);
  });

  it('lists a panel’s and a user’s posts newest first, with cursor pagination', async () => {
    const other = (await forum.createPanel(bob, 'Second Panel')).data!.createPanel.id;
    await forum.createPost(bob, { panelId: other, title: 'Elsewhere', body: 'x' });
    for (const title of ['one', 'two', 'three']) await write(title);
    expect(await forum.panelPosts(null, panelId)).toEqual({ count: 4, titles: ['three', 'two', 'one', 'Hello world'] });
    expect(await forum.userPosts(null, bob.id)).toEqual(['Elsewhere']);

    type Page = {
      panel: { posts: { edges: { node: { title: string } }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } };
    };
    const query =
      'query($id: ID, $after: String) { panel(id: $id) { posts(first: 3, after: $after) { edges { node { title } } pageInfo { endCursor hasNextPage } } } }';
    const page1 = await forum.call<Page>(null, query, { id: panelId });
    expect(page1.data!.panel.posts.edges.map((e) => e.node.title)).toEqual(['three', 'two', 'one']);
    expect(page1.data!.panel.posts.pageInfo.hasNextPage).toBe(true);
    const page2 = await forum.call<Page>(null, query, {
      id: panelId,
      after: page1.data!.panel.posts.pageInfo.endCursor,
    });
    expect(page2.data!.panel.posts.edges.map((e) => e.node.title)).toEqual(['Hello world']);
    expect(page2.data!.panel.posts.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
    expect(codes(await forum.call(null, query.replace('first: 3', 'first: 101'), { id: panelId }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await forum.call(null, query, { id: panelId, after: 'forged' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('stores and returns markup as plain text, unchanged', async () => {
    const body = `<script>alert("x")</script> <img src=x onerror=alert(1)> & &amp; "quotes" 'single' <b>bold</b>\n\tindented ✓ 😀`;
    const title = '<script>document.cookie</script>';
    const res = await forum.createPost(alice, { panelId, title, body, tags: ['<b>'] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createPost).toMatchObject({ title, body, tags: ['<b>'] });
    expect(await forum.post(null, res.data!.createPost.id)).toMatchObject({ title, body, tags: ['<b>'] });
  });

  it('enforces the limits and refuses empty content, each with its code, writing nothing', async () => {
    const events = await collectEvents(forum.infra.events, ['forum.posts']);
    const before = await forum.panelPosts(null, panelId);
    const input = { panelId, title: 'Fine', body: 'Fine' };
    const refused: [object, string, string?][] = [
      [{ title: '' }, 'BAD_USER_INPUT', 'title'],
      [{ title: '   \n ' }, 'BAD_USER_INPUT', 'title'],
      [{ title: 't'.repeat(201) }, 'BAD_USER_INPUT', 'title'],
      [{ body: '' }, 'BAD_USER_INPUT', 'body'],
      [{ body: 'b'.repeat(40_001) }, 'BAD_USER_INPUT', 'body'],
      [{ body: 'nul \u0000 byte' }, 'BAD_USER_INPUT'], // refused for the whole request, before the resolver
      [{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'BAD_USER_INPUT', 'tags'],
      [{ tags: ['x'.repeat(41)] }, 'BAD_USER_INPUT', 'tags'],
      [{ tags: ['ok', ' '] }, 'BAD_USER_INPUT', 'tags'],
      [{ panelId: randomUUID() }, 'NOT_FOUND'],
      [{ panelId: 'not-a-uuid' }, 'NOT_FOUND'],
    ];
    for (const [change, code, field] of refused) {
      const res = await forum.createPost(alice, { ...input, ...change });
      expect({ change, errors: res.errors?.map((e) => e.extensions) }).toEqual({
        change,
        errors: [field ? { code, field } : { code }],
      });
    }
    expect(codes(await forum.createPost(null, input))).toEqual(['UNAUTHENTICATED']);
    expect(await forum.panelPosts(null, panelId)).toEqual(before);
    // The bounds themselves are accepted: 200 and 40 000 characters (astral ones count as one), 10 tags.
    const longest = await forum.createPost(alice, {
      panelId,
      title: '😀'.repeat(200),
      body: 'b'.repeat(40_000),
      tags: Array.from({ length: 10 }, (_, i) => `${'t'.repeat(39)}${i}`),
    });
    expect(longest.errors).toBeUndefined();
    // A control write after them: once its event is in, any event of a refused write would be too.
    const control = await write('Control');
    await waitFor('the control event', () => events.seen.some((e) => e.subject === control.id));
    await events.stop();
    expect(events.seen.map((e) => [e.type, e.subject])).toEqual([
      ['post.created', longest.data!.createPost.id],
      ['post.created', control.id],
    ]);
  });

  it('lets only the author or an admin edit or delete, and leaves refused writes unwritten', async () => {
    const post = await write('Mine', alice, ['a']);
    expect(codes(await forum.updatePost(bob, post.id, { title: 'Hijacked' }))).toEqual(['FORBIDDEN']);
    expect(codes(await forum.deletePost(bob, post.id))).toEqual(['FORBIDDEN']);
    expect(codes(await forum.updatePost(null, post.id, { title: 'Anon' }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await forum.updatePost(alice, post.id, {}))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await forum.updatePost(alice, post.id, { body: ' ' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await forum.updatePost(alice, randomUUID(), { title: 'Nothing' }))).toEqual(['NOT_FOUND']);
    expect(await forum.post(null, post.id)).toEqual(post);

    await sleep(5); // so updatedAt moves on
    const edited = await forum.updatePost(alice, post.id, { body: 'Edited body', tags: ['B', 'c'] });
    expect(edited.data!.updatePost).toMatchObject({ title: 'Mine', body: 'Edited body', tags: ['b', 'c'] });
    expect(Date.parse(edited.data!.updatePost.updatedAt)).toBeGreaterThan(Date.parse(post.createdAt));
    const byAdmin = await forum.updatePost(admin, post.id, { title: 'Moderated' });
    expect(byAdmin.data!.updatePost).toMatchObject({ title: 'Moderated', author: { id: alice.id } });
  });

  it('removes a deleted post from reads, lists and counts, and refuses to touch it again', async () => {
    const { count } = await forum.panelPosts(null, panelId);
    const post = await write('Short-lived', bob);
    expect((await forum.panelPosts(null, panelId)).count).toBe(count + 1);
    expect((await forum.deletePost(bob, post.id)).data).toEqual({ deletePost: true });
    expect(await forum.post(null, post.id)).toBeNull();
    const after = await forum.panelPosts(null, panelId);
    expect(after.count).toBe(count);
    expect(after.titles).not.toContain('Short-lived');
    expect(await forum.userPosts(null, bob.id)).not.toContain('Short-lived');
    expect(codes(await forum.deletePost(bob, post.id))).toEqual(['NOT_FOUND']);
    expect(codes(await forum.updatePost(bob, post.id, { title: 'Back' }))).toEqual(['NOT_FOUND']);

    const another = await write('Admin removes', bob);
    expect((await forum.deletePost(admin, another.id)).data).toEqual({ deletePost: true });
    expect(await forum.post(null, another.id)).toBeNull();
  });

  it('keeps postCount exact under concurrent writes', async () => {
    const panel = (await forum.createPanel(alice, 'Busy Panel')).data!.createPanel.id;
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        forum.createPost(i % 2 ? alice : bob, { panelId: panel, title: `p${i}`, body: 'b' }),
      ),
    );
    expect(created.every((r) => !r.errors)).toBe(true);
    expect((await forum.panelPosts(null, panel)).count).toBe(20);
    const victim = created[0]!.data!.createPost.id;
    const deletes = await Promise.all([1, 2, 3].map(() => forum.deletePost(bob, victim)));
    expect(deletes.map((r) => r.data?.deletePost ?? codes(r)[0])).toEqual(
      expect.arrayContaining([true, 'NOT_FOUND', 'NOT_FOUND']),
    );
    expect(await forum.panelPosts(null, panel)).toMatchObject({ count: 19 });
  });

  it('emits exactly one event per write, with the envelope of DESIGN.md', async () => {
    const events = await collectEvents(forum.infra.events, ['forum.posts']);
    const post = await write('Evented', alice, ['x']);
    await forum.updatePost(alice, post.id, { title: 'Evented again' });
    await forum.updatePost(bob, post.id, { title: 'Refused' });
    await forum.deletePost(admin, post.id);
    // A control write after them: once its event is in, a duplicate or a refused write's would be too.
    const control = await write('Control');
    await waitFor('the control event', () => events.seen.some((e) => e.subject === control.id));
    await events.stop();
    expect(events.seen.pop()!.subject).toBe(control.id);
    const data = {
      id: post.id,
      panelId,
      authorId: alice.id,
      body: 'About Evented',
      tags: ['x'],
      createdAt: post.createdAt,
    };
    const envelope = {
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      version: '1.0',
      occurredAt: expect.any(String),
      source: 'forum',
      subject: post.id,
    };
    expect(events.seen).toEqual([
      {
        ...envelope,
        type: 'post.created',
        actorId: alice.id,
        data: { ...data, title: 'Evented', updatedAt: post.createdAt },
      },
      {
        ...envelope,
        type: 'post.updated',
        actorId: alice.id,
        data: { ...data, title: 'Evented again', updatedAt: expect.any(String) },
      },
      {
        ...envelope,
        type: 'post.deleted',
        actorId: admin.id,
        data: { ...data, title: 'Evented again', updatedAt: expect.any(String) },
      },
    ]);
    expect(new Set(events.seen.map((e) => e.id)).size).toBe(3);
  });

  it('hides the posts of a blocked author from the blocker only, until unblocked', async () => {
    const panel = (await forum.createPanel(carol, 'Blocking Panel')).data!.createPanel.id;
    const byBob = (await forum.createPost(bob, { panelId: panel, title: 'by bob', body: 'b' })).data!.createPost;
    await forum.createPost(alice, { panelId: panel, title: 'by alice', body: 'a' });
    const relation = (type: string) =>
      newEvent({
        type,
        source: 'users',
        subject: carol.id,
        actorId: carol.id,
        data: { actorId: carol.id, targetId: bob.id },
      });

    const letters = await collectDeadLetters(forum.infra.events, 'forum');
    const unfit = newEvent({ type: 'user.blocked', source: 'users', subject: carol.id, data: { actorId: carol.id } });
    // A newer minor version with a field this consumer does not know yet is read all the same.
    const newerBlock = { ...relation('user.blocked'), version: '1.2' };
    newerBlock.data = { ...newerBlock.data, note: 'spam' } as typeof newerBlock.data;
    await forum.infra.events.publish('users.relations', [unfit, relation('user.followed'), newerBlock]);
    await waitFor('the block to apply', async () => (await forum.post(carol, byBob.id)) === null);
    await waitFor('the dead letter', () => letters.length === 1);
    expect(letters[0]).toMatchObject({ group: 'forum', topic: 'users.relations', event: { id: unfit.id } });
    expect(letters[0]!.reason).toMatch(/targetId/);
    expect((await forum.panelPosts(carol, panel)).titles).toEqual(['by alice']);
    expect(await forum.userPosts(carol, bob.id)).toEqual([]);
    // Others, and anonymous readers, still see bob's post.
    expect((await forum.panelPosts(alice, panel)).titles).toEqual(['by alice', 'by bob']);
    expect((await forum.panelPosts(null, panel)).titles).toEqual(['by alice', 'by bob']);
    expect(await forum.post(alice, byBob.id)).not.toBeNull();

    await forum.infra.events.publish('users.relations', [relation('user.unblocked')]);
    await waitFor('the unblock to apply', async () => (await forum.post(carol, byBob.id)) !== null);
    expect((await forum.panelPosts(carol, panel)).titles).toEqual(['by alice', 'by bob']);
  });
});

describe('forum subgraph: the post cache', () => {
  let forum: ForumUnderTest;
  let panelId: string;

  beforeAll(async () => {
    forum = await ForumUnderTest.start();
    panelId = (await forum.createPanel(alice, 'Cached Panel')).data!.createPanel.id;
  });
  afterAll(() => forum.close());

  const cachedTitle = async (id: string) => (await forum.infra.cache.get<PostView>(`forum:post:${id}`))?.title;

  it('serves hot reads from the cache and invalidates them on an edit', async () => {
    const post = (await forum.createPost(alice, { panelId, title: 'Original', body: 'b' })).data!.createPost;
    await forum.post(null, post.id);
    expect(await cachedTitle(post.id)).toBe('Original');
    // A read now comes from the cache, not the database.
    const entry = await forum.infra.cache.get<PostView>(`forum:post:${post.id}`);
    await forum.infra.cache.set(`forum:post:${post.id}`, { ...entry, title: 'From the cache' }, 60_000);
    expect((await forum.post(null, post.id))!.title).toBe('From the cache');
    // A write drops the entry, so the next read is fresh.
    await forum.updatePost(alice, post.id, { body: 'changed' });
    expect(await cachedTitle(post.id)).toBeUndefined();
    expect(await forum.post(null, post.id)).toMatchObject({ title: 'Original', body: 'changed' });
  });

  it('never returns a deleted post, even from a cached read', async () => {
    const post = (await forum.createPost(alice, { panelId, title: 'Doomed', body: 'b' })).data!.createPost;
    expect(await forum.post(null, post.id)).not.toBeNull();
    expect(await cachedTitle(post.id)).toBe('Doomed');
    await forum.deletePost(alice, post.id);
    expect(await forum.post(null, post.id)).toBeNull();
    // The read after the delete may cache the deleted record; it is still never served.
    expect(await forum.post(null, post.id)).toBeNull();
    expect(await forum.infra.cache.get(`forum:post:${post.id}`)).toMatchObject({ deletedAt: expect.any(String) });
    expect((await forum.panelPosts(null, panelId)).titles).not.toContain('Doomed');
  });

  it('keeps the panel’s cached postCount in step with post writes', async () => {
    const read = async () => (await forum.panelPosts(null, panelId)).count;
    const before = await read();
    const post = (await forum.createPost(bob, { panelId, title: 'Counted', body: 'b' })).data!.createPost;
    expect(post.panel.postCount).toBe(before + 1);
    expect(await read()).toBe(before + 1);
    await forum.deletePost(bob, post.id);
    expect(await read()).toBe(before);
  });
});

describe('forum subgraph: outages', () => {
  it('accepts writes while the event broker is down and publishes their events after recovery', async () => {
    const events = new FlakyEventLog();
    const forum = await ForumUnderTest.start({ infra: { ...embeddedInfra(), events } });
    try {
      const seen = await collectEvents(events, ['forum.panels', 'forum.posts']);
      events.down = true;
      const panel = await forum.createPanel(alice, 'Offline Panel');
      expect(panel.errors).toBeUndefined();
      const post = await forum.createPost(alice, { panelId: panel.data!.createPanel.id, title: 'Offline', body: 'b' });
      expect(post.errors).toBeUndefined();
      await forum.updatePost(alice, post.data!.createPost.id, { title: 'Still offline' });
      await sleep(300);
      expect(seen.seen).toHaveLength(0);
      events.down = false;
      await waitFor('the events after recovery', () => seen.seen.length >= 3, 15_000);
      await sleep(200);
      expect(seen.seen.map((e) => e.type)).toEqual(['panel.created', 'post.created', 'post.updated']);
    } finally {
      await forum.close();
    }
  });

  it('keeps reading and writing when the cache is unreachable', async () => {
    const broken: Cache = {
      get: () => Promise.reject(new Error('cache down')),
      set: () => Promise.reject(new Error('cache down')),
      delete: () => Promise.reject(new Error('cache down')),
      increment: () => Promise.reject(new Error('cache down')),
      close: () => Promise.resolve(),
    };
    const forum = await ForumUnderTest.start({ infra: { ...embeddedInfra(), cache: broken } });
    try {
      const panel = (await forum.createPanel(alice, 'No Cache')).data!.createPanel;
      const post = (await forum.createPost(alice, { panelId: panel.id, title: 'Uncached', body: 'b' })).data!
        .createPost;
      expect(await forum.post(null, post.id)).toMatchObject({ title: 'Uncached', panel: { postCount: 1 } });
      expect((await forum.deletePost(alice, post.id)).data).toEqual({ deletePost: true });
      expect(await forum.post(null, post.id)).toBeNull();
    } finally {
      await forum.close();
    }
  });
});
