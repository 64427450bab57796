import { newEvent } from '@agora/kit/events/port';
import { waitFor } from '@agora/kit/testing';
import type { Viewer } from '@agora/kit/viewer';
import { CommentsUnderTest, newUser } from './harness';

/**
 * A blocked author's content is hidden wherever the comments service serves it: their
 * comments through references (`_entities`), comments on their posts (so `Comment.post`
 * never leads to a hidden post), and the viewer's commentCount.
 */
describe('comments subgraph: blocks reach references, posts and counts', () => {
  let comments: CommentsUnderTest;
  const [alice, bob, carol] = [newUser(), newUser(), newUser()];

  beforeAll(async () => {
    comments = await CommentsUnderTest.start();
  }, 120_000);
  afterAll(() => comments?.close());

  const block = async (blocker: Viewer, blocked: Viewer) => {
    await comments.infra.events.publish('users.relations', [
      newEvent({
        type: 'user.blocked',
        source: 'users',
        subject: blocker.id,
        data: { actorId: blocker.id, targetId: blocked.id },
      }),
    ]);
  };
  const entity = async (viewer: Viewer | null, id: string) => {
    const res = await comments.call<{ _entities: ({ id: string } | null)[] }>(
      viewer,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Comment { id } } }',
      { r: [{ __typename: 'Comment', id }] },
    );
    expect(res.errors).toBeUndefined();
    return res.data!._entities[0];
  };
  const commentCount = async (viewer: Viewer | null, postId: string) => {
    const res = await comments.call<{ _entities: { commentCount: number }[] }>(
      viewer,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Post { commentCount } } }',
      { r: [{ __typename: 'Post', id: postId }] },
    );
    return res.data!._entities[0]!.commentCount;
  };

  it("hides a blocked author's comment through _entities and from the blocker's commentCount", async () => {
    const postId = await comments.newPost(alice);
    const byBob = (await comments.addComment(bob, { postId, body: 'by bob' })).data!.addComment;
    await comments.addComment(alice, { postId, body: 'by alice' });
    expect(await commentCount(carol, postId)).toBe(2);

    await block(carol, bob);
    await waitFor('the block to apply', async () => (await comments.comment(carol, byBob.id)) === null);
    expect(await entity(carol, byBob.id)).toBeNull();
    expect(await commentCount(carol, postId)).toBe(1);
    expect(await entity(alice, byBob.id)).toEqual({ id: byBob.id });
    expect(await commentCount(alice, postId)).toBe(2);
    expect(await commentCount(null, postId)).toBe(2);
  });

  it("hides comments on a blocked author's post from the blocker, so Comment.post cannot reach it", async () => {
    const dave = newUser();
    const postByBob = await comments.newPost(bob);
    const byAlice = (await comments.addComment(alice, { postId: postByBob, body: "on bob's post" })).data!.addComment;
    expect(await comments.comment(dave, byAlice.id)).toMatchObject({ post: { id: postByBob } });

    await block(dave, bob);
    await waitFor('the block to apply', async () => (await comments.comment(dave, byAlice.id)) === null);
    expect(await entity(dave, byAlice.id)).toBeNull();
    expect(await comments.comment(alice, byAlice.id)).toMatchObject({ post: { id: postByBob } });
  });
});
