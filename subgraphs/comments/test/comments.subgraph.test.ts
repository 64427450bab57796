import { randomUUID } from 'node:crypto';
import { newEvent, type EventEnvelope } from '@agora/kit/events/port';
import { embeddedInfra } from '@agora/kit/infra';
import { sleep, waitFor, FlakyEventLog, codes, collectDeadLetters } from '@agora/kit/testing';
import { CommentsUnderTest, newUser } from './harness';

const alice = newUser();
const bob = newUser();
const carol = newUser();
const admin = newUser(['admin']);

async function collect(service: CommentsUnderTest) {
  const seen: EventEnvelope[] = [];
  const consumer = await service.infra.events.subscribe({
    group: `test-${randomUUID()}`,
    topics: ['comments.comments'],
    handle: async (event) => void seen.push(event),
  });
  return { seen, stop: () => consumer.stop() };
}

describe('comments subgraph', () => {
  let comments: CommentsUnderTest;

  beforeAll(async () => {
    comments = await CommentsUnderTest.start();
  });
  afterAll(() => comments.close());

  it('dead-letters a forum.posts event that does not fit the catalogue, and still reads the next', async () => {
    const letters = await collectDeadLetters(comments.infra.events, 'comments');
    const unfit = newEvent({ type: 'post.created', source: 'forum', subject: randomUUID(), data: { id: 'x' } });
    await comments.infra.events.publish('forum.posts', [unfit]);
    const postId = await comments.newPost(alice);
    expect((await comments.addComment(bob, { postId, body: 'after the unfit one' })).errors).toBeUndefined();
    await waitFor('the dead letter', () => letters.length === 1);
    expect(letters[0]).toMatchObject({ group: 'comments', topic: 'forum.posts', event: { id: unfit.id } });
    expect(letters[0]!.reason).toMatch(/authorId/);
  });

  it('adds comments and threaded replies, counted and listed newest first on the post', async () => {
    const postId = await comments.newPost(alice); // announced a moment ago: read-your-writes
    const first = await comments.addComment(bob, { postId, body: '  First!  ' });
    expect(first.errors).toBeUndefined();
    expect(first.data!.addComment).toEqual({
      id: expect.any(String),
      body: 'First!',
      createdAt: expect.any(String),
      updatedAt: first.data!.addComment.createdAt,
      author: { id: bob.id },
      parent: null,
      post: { id: postId, commentCount: 1 },
    });
    const reply = await comments.addComment(alice, { postId, body: 'A reply', parentId: first.data!.addComment.id });
    expect(reply.data!.addComment).toMatchObject({
      parent: { id: first.data!.addComment.id },
      post: { commentCount: 2 },
    });
    await comments.addComment(carol, { postId, body: 'Third' });
    expect(await comments.postComments(null, postId)).toEqual({ count: 3, bodies: ['Third', 'A reply', 'First!'] });
    expect(await comments.comment(null, reply.data!.addComment.id)).toEqual({
      ...reply.data!.addComment,
      post: { id: postId, commentCount: 3 },
    });

    type Page = {
      _entities: {
        comments: { edges: { node: { body: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }[];
    };
    const query = `query($reps: [_Any!]!, $after: String) { _entities(representations: $reps) {
      ... on Post { comments(first: 2, after: $after) { edges { node { body } } pageInfo { hasNextPage endCursor } } } } }`;
    const reps = [{ __typename: 'Post', id: postId }];
    const page1 = await comments.call<Page>(null, query, { reps });
    expect(page1.data!._entities[0]!.comments.edges.map((e) => e.node.body)).toEqual(['Third', 'A reply']);
    expect(page1.data!._entities[0]!.comments.pageInfo.hasNextPage).toBe(true);
    const page2 = await comments.call<Page>(null, query, {
      reps,
      after: page1.data!._entities[0]!.comments.pageInfo.endCursor,
    });
    expect(page2.data!._entities[0]!.comments.edges.map((e) => e.node.body)).toEqual(['First!']);
    expect(page2.data!._entities[0]!.comments.pageInfo.hasNextPage).toBe(false);
    expect(codes(await comments.call(null, query, { reps, after: 'forged' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('stores and returns markup as plain text, unchanged', async () => {
    const postId = await comments.newPost(alice);
    const body = '<script>alert(1)</script><a href="javascript:x">&lt;</a> 😀';
    const res = await comments.addComment(bob, { postId, body });
    expect(res.data!.addComment.body).toBe(body);
    expect((await comments.comment(null, res.data!.addComment.id))!.body).toBe(body);
  });

  it('refuses bad input, unknown posts and foreign parents, each with its code, writing nothing', async () => {
    const events = await collect(comments);
    const postId = await comments.newPost(alice);
    const otherPost = await comments.newPost(alice);
    const elsewhere = (await comments.addComment(bob, { postId: otherPost, body: 'elsewhere' })).data!.addComment;
    const refused: [object, string, string?][] = [
      [{ body: '' }, 'BAD_USER_INPUT', 'body'],
      [{ body: ' \n\t ' }, 'BAD_USER_INPUT', 'body'],
      [{ body: 'b'.repeat(10_001) }, 'BAD_USER_INPUT', 'body'],
      [{ body: 'nul \u0000' }, 'BAD_USER_INPUT'], // refused for the whole request, before the resolver
      [{ parentId: elsewhere.id }, 'BAD_USER_INPUT', 'parentId'],
      [{ parentId: randomUUID() }, 'BAD_USER_INPUT', 'parentId'],
      [{ parentId: 'nope' }, 'BAD_USER_INPUT', 'parentId'],
      [{ postId: 'not-a-uuid' }, 'NOT_FOUND'],
      [{ postId: randomUUID() }, 'NOT_FOUND'], // after the bounded wait for its event
    ];
    for (const [change, code, field] of refused) {
      const res = await comments.addComment(bob, { postId, body: 'fine', ...change });
      expect({ change, errors: res.errors?.map((e) => e.extensions) }).toEqual({
        change,
        errors: [field ? { code, field } : { code }],
      });
    }
    expect(codes(await comments.addComment(null, { postId, body: 'anonymous' }))).toEqual(['UNAUTHENTICATED']);
    expect(await comments.postComments(null, postId)).toEqual({ count: 0, bodies: [] });
    const longest = await comments.addComment(bob, { postId, body: 'b'.repeat(10_000) });
    expect(longest.errors).toBeUndefined();
    // A control write after them: once its event is in, any event of a refused write would be too.
    const control = (await comments.addComment(bob, { postId, body: 'control' })).data!.addComment;
    await waitFor('the control event', () => events.seen.some((e) => e.subject === control.id));
    await events.stop();
    expect(events.seen.map((e) => e.data)).toEqual([
      expect.objectContaining({ id: elsewhere.id }),
      expect.objectContaining({ id: longest.data!.addComment.id }),
      expect.objectContaining({ id: control.id }),
    ]);
  });

  it('lets only the author or an admin edit or delete; deleted comments leave lists and counts', async () => {
    const postId = await comments.newPost(alice);
    const parent = (await comments.addComment(bob, { postId, body: 'parent' })).data!.addComment;
    const reply = (await comments.addComment(carol, { postId, body: 'reply', parentId: parent.id })).data!.addComment;
    expect(codes(await comments.updateComment(alice, parent.id, 'hijack'))).toEqual(['FORBIDDEN']);
    expect(codes(await comments.deleteComment(alice, parent.id))).toEqual(['FORBIDDEN']);
    expect(codes(await comments.deleteComment(null, parent.id))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await comments.updateComment(bob, parent.id, ''))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await comments.updateComment(bob, randomUUID(), 'x'))).toEqual(['NOT_FOUND']);
    expect(await comments.comment(null, parent.id)).toEqual({ ...parent, post: { id: postId, commentCount: 2 } });

    await sleep(5);
    const edited = (await comments.updateComment(bob, parent.id, 'edited')).data!.updateComment;
    expect(edited.body).toBe('edited');
    expect(Date.parse(edited.updatedAt)).toBeGreaterThan(Date.parse(parent.createdAt));
    expect((await comments.updateComment(admin, reply.id, 'moderated')).data!.updateComment.author).toEqual({
      id: carol.id,
    });

    expect((await comments.deleteComment(bob, parent.id)).data).toEqual({ deleteComment: true });
    expect(await comments.comment(null, parent.id)).toBeNull();
    expect(await comments.postComments(null, postId)).toEqual({ count: 1, bodies: ['moderated'] });
    // The reply stays; its parent is gone.
    expect(await comments.comment(null, reply.id)).toMatchObject({ body: 'moderated', parent: null });
    expect(codes(await comments.deleteComment(bob, parent.id))).toEqual(['NOT_FOUND']);
    expect(codes(await comments.updateComment(bob, parent.id, 'back'))).toEqual(['NOT_FOUND']);
    expect(codes(await comments.addComment(alice, { postId, body: 'to a deleted one', parentId: parent.id }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect((await comments.deleteComment(admin, reply.id)).data).toEqual({ deleteComment: true });
    expect(await comments.postComments(null, postId)).toEqual({ count: 0, bodies: [] });
  });

  it('hides the comments of a deleted post and refuses new ones', async () => {
    const postId = await comments.newPost(alice);
    const kept = (await comments.addComment(bob, { postId, body: 'on a doomed post' })).data!.addComment;
    await comments.publishPost('post.deleted', { id: postId, authorId: alice.id });
    await waitFor('the deletion to apply', async () => (await comments.comment(null, kept.id)) === null);
    expect(await comments.postComments(null, postId)).toEqual({ count: 0, bodies: [] });
    expect(codes(await comments.addComment(bob, { postId, body: 'late' }))).toEqual(['NOT_FOUND']);
    expect(codes(await comments.updateComment(bob, kept.id, 'late edit'))).toEqual(['NOT_FOUND']);
  });

  it('keeps commentCount exact under concurrent adds and deletes', async () => {
    const postId = await comments.newPost(alice);
    const added = await Promise.all(
      Array.from({ length: 30 }, (_, i) => comments.addComment(i % 2 ? bob : carol, { postId, body: `c${i}` })),
    );
    expect(added.every((r) => !r.errors)).toBe(true);
    expect((await comments.postComments(null, postId)).count).toBe(30);
    const victims = added.slice(0, 10).map((r) => r.data!.addComment);
    const deletes = await Promise.all(
      [...victims, ...victims].map((c) => comments.deleteComment(c.author.id === bob.id ? bob : carol, c.id)),
    );
    expect(deletes.filter((r) => r.data?.deleteComment === true)).toHaveLength(10);
    expect(deletes.filter((r) => codes(r)[0] === 'NOT_FOUND')).toHaveLength(10);
    expect(await comments.postComments(null, postId)).toMatchObject({ count: 20 });
  });

  it('emits exactly one event per write, with the envelope of DESIGN.md', async () => {
    const postId = await comments.newPost(alice);
    const events = await collect(comments);
    const parent = (await comments.addComment(bob, { postId, body: 'hello' })).data!.addComment;
    const reply = (await comments.addComment(carol, { postId, body: 'hi', parentId: parent.id })).data!.addComment;
    await comments.updateComment(bob, parent.id, 'hello again');
    await comments.updateComment(carol, parent.id, 'refused');
    await comments.deleteComment(admin, parent.id);
    // A control write after them: once its event is in, a duplicate or a refused write's would be too.
    const control = (await comments.addComment(bob, { postId, body: 'control' })).data!.addComment;
    await waitFor('the control event', () => events.seen.some((e) => e.subject === control.id));
    await events.stop();
    expect(events.seen.pop()!.subject).toBe(control.id);
    const envelope = (subject: string) => ({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      version: '1.0',
      occurredAt: expect.any(String),
      source: 'comments',
      subject,
    });
    const data = { id: parent.id, postId, authorId: bob.id, parentId: null, createdAt: parent.createdAt };
    expect(events.seen).toEqual([
      {
        ...envelope(parent.id),
        type: 'comment.created',
        actorId: bob.id,
        data: { ...data, body: 'hello', updatedAt: parent.createdAt },
      },
      {
        ...envelope(reply.id),
        type: 'comment.created',
        actorId: carol.id,
        data: {
          id: reply.id,
          postId,
          authorId: carol.id,
          parentId: parent.id,
          body: 'hi',
          createdAt: reply.createdAt,
          updatedAt: reply.createdAt,
        },
      },
      {
        ...envelope(parent.id),
        type: 'comment.updated',
        actorId: bob.id,
        data: { ...data, body: 'hello again', updatedAt: expect.any(String) },
      },
      {
        ...envelope(parent.id),
        type: 'comment.deleted',
        actorId: admin.id,
        data: { ...data, body: 'hello again', updatedAt: expect.any(String) },
      },
    ]);
  });

  it('hides a blocked author’s comments from the blocker only, until unblocked', async () => {
    const postId = await comments.newPost(alice);
    const byBob = (await comments.addComment(bob, { postId, body: 'by bob' })).data!.addComment;
    const reply = (await comments.addComment(alice, { postId, body: 'by alice', parentId: byBob.id })).data!.addComment;
    const relation = (type: string) =>
      newEvent({ type, source: 'users', subject: carol.id, data: { actorId: carol.id, targetId: bob.id } });
    await comments.infra.events.publish('users.relations', [relation('user.blocked')]);
    await waitFor('the block to apply', async () => (await comments.comment(carol, byBob.id)) === null);
    expect((await comments.postComments(carol, postId)).bodies).toEqual(['by alice']);
    expect(await comments.comment(carol, reply.id)).toMatchObject({ parent: null });
    expect((await comments.postComments(alice, postId)).bodies).toEqual(['by alice', 'by bob']);
    expect(await comments.comment(null, reply.id)).toMatchObject({ parent: { id: byBob.id } });

    await comments.infra.events.publish('users.relations', [relation('user.unblocked')]);
    await waitFor('the unblock to apply', async () => (await comments.comment(carol, byBob.id)) !== null);
    expect((await comments.postComments(carol, postId)).bodies).toEqual(['by alice', 'by bob']);
  });
});

describe('comments subgraph: outages', () => {
  it('accepts comments while the event broker is down and publishes their events after recovery', async () => {
    const events = new FlakyEventLog();
    const comments = await CommentsUnderTest.start({ infra: { ...embeddedInfra(), events } });
    try {
      const postId = await comments.newPost(alice);
      const seen = await collect(comments);
      events.down = true;
      const added = await comments.addComment(bob, { postId, body: 'offline' });
      expect(added.errors).toBeUndefined();
      expect((await comments.deleteComment(bob, added.data!.addComment.id)).errors).toBeUndefined();
      await sleep(300);
      expect(seen.seen).toHaveLength(0);
      events.down = false;
      await waitFor('the events after recovery', () => seen.seen.length >= 2, 15_000);
      expect(seen.seen.map((e) => e.type)).toEqual(['comment.created', 'comment.deleted']);
    } finally {
      await comments.close();
    }
  });
});
