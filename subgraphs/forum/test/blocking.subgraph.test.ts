import { newEvent } from '@agora/kit/events/port';
import { waitFor } from '@agora/kit/testing';
import { ForumUnderTest, newUser } from './harness';

/**
 * A blocked author's posts are hidden wherever the forum serves them: through references
 * from other subgraphs (`_entities`, e.g. `Comment.post`), and from the viewer's counts.
 */
describe('forum subgraph: blocks reach references and counts', () => {
  let forum: ForumUnderTest;
  const [alice, bob, carol] = [newUser(), newUser(), newUser()];

  beforeAll(async () => {
    forum = await ForumUnderTest.start();
  }, 120_000);
  afterAll(() => forum?.close());

  const entity = async (viewer: typeof alice | null, id: string) => {
    const res = await forum.call<{ _entities: ({ id: string; title: string } | null)[] }>(
      viewer,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Post { id title } } }',
      { r: [{ __typename: 'Post', id }] },
    );
    expect(res.errors).toBeUndefined();
    return res.data!._entities[0];
  };
  const postCount = async (viewer: typeof alice | null, panelId: string) =>
    (await forum.call<{ panel: { postCount: number } }>(viewer, `{ panel(id: "${panelId}") { postCount } }`)).data!
      .panel.postCount;

  it('hides the post from the blocker through _entities, and leaves it out of their postCount', async () => {
    const panel = (await forum.createPanel(carol, 'Entities Panel')).data!.createPanel.id;
    const byBob = (await forum.createPost(bob, { panelId: panel, title: 'by bob', body: 'b' })).data!.createPost;
    await forum.createPost(alice, { panelId: panel, title: 'by alice', body: 'a' });
    expect(await entity(carol, byBob.id)).toEqual({ id: byBob.id, title: 'by bob' });
    expect(await postCount(carol, panel)).toBe(2);

    await forum.infra.events.publish('users.relations', [
      newEvent({
        type: 'user.blocked',
        source: 'users',
        subject: carol.id,
        data: { actorId: carol.id, targetId: bob.id },
      }),
    ]);
    await waitFor('the block to apply', async () => (await forum.post(carol, byBob.id)) === null);
    expect(await entity(carol, byBob.id)).toBeNull();
    expect(await postCount(carol, panel)).toBe(1);
    // Everyone else still sees and counts it.
    expect(await entity(alice, byBob.id)).toEqual({ id: byBob.id, title: 'by bob' });
    expect(await entity(null, byBob.id)).toEqual({ id: byBob.id, title: 'by bob' });
    expect(await postCount(alice, panel)).toBe(2);
    expect(await postCount(null, panel)).toBe(2);
  });
});
