import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, codes } from '@agora/kit/testing';
import { collectEvents, ForumUnderTest, newUser } from './harness';

const alice = newUser();
const bob = newUser();

describe('forum subgraph: panels', () => {
  let forum: ForumUnderTest;
  const panelCount = async () => {
    const res = await forum.call<{ panels: { edges: unknown[] } }>(null, '{ panels(first: 100) { edges { cursor } } }');
    return res.data!.panels.edges.length;
  };

  beforeAll(async () => {
    forum = await ForumUnderTest.start();
  });
  afterAll(() => forum.close());

  it('needs a signed-in creator, and records who it was', async () => {
    expect(codes(await forum.createPanel(null, 'Anonymous'))).toEqual(['UNAUTHENTICATED']);
    expect(await panelCount()).toBe(0);
    const created = await forum.createPanel(alice, 'General Chat', 'Anything goes');
    expect(created.errors).toBeUndefined();
    expect(created.data!.createPanel).toMatchObject({
      slug: 'general-chat',
      name: 'General Chat',
      createdBy: { id: alice.id },
    });
  });

  it('lists panels newest first, with cursor pagination', async () => {
    await forum.createPanel(alice, 'Photography');
    await forum.createPanel(bob, 'Rust & Go');
    const page1 = await forum.call<{
      panels: { edges: { node: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    }>(null, '{ panels(first: 2) { edges { node { name } } pageInfo { hasNextPage endCursor } } }');
    expect(page1.data!.panels.edges.map((e) => e.node.name)).toEqual(['Rust & Go', 'Photography']);
    expect(page1.data!.panels.pageInfo.hasNextPage).toBe(true);
    const page2 = await forum.call<{
      panels: { edges: { node: { name: string } }[]; pageInfo: { hasNextPage: boolean } };
    }>(
      null,
      'query($after: String) { panels(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }',
      { after: page1.data!.panels.pageInfo.endCursor },
    );
    expect(page2.data!.panels.edges.map((e) => e.node.name)).toEqual(['General Chat']);
    expect(page2.data!.panels.pageInfo.hasNextPage).toBe(false);
  });

  it('finds a panel by id and by slug, and answers null for an unknown one', async () => {
    const { data } = await forum.createPanel(alice, 'Board Games');
    const { id } = data!.createPanel;
    const byId = await forum.call<{ panel: { slug: string } }>(null, 'query($id: ID) { panel(id: $id) { slug } }', {
      id,
    });
    expect(byId.data!.panel.slug).toBe('board-games');
    const bySlug = await forum.call<{ panel: { id: string } }>(null, '{ panel(slug: "Board-Games") { id } }');
    expect(bySlug.data!.panel.id).toBe(id);
    const unknown = await forum.call(null, '{ a: panel(slug: "nope") { id } b: panel(id: "not-a-uuid") { id } }');
    expect(unknown.data).toEqual({ a: null, b: null });
    expect(codes(await forum.call(null, '{ panel { id } }'))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses bad input with a code and writes nothing', async () => {
    const before = await panelCount();
    expect(codes(await forum.createPanel(alice, ''))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await forum.createPanel(alice, 'ab'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await forum.createPanel(alice, 'x'.repeat(81)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await forum.createPanel(alice, 'general   CHAT'))).toEqual(['CONFLICT']);
    expect(codes(await forum.call(null, '{ panels(first: 1000) { edges { cursor } } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await forum.call(null, '{ panels(after: "forged") { edges { cursor } } }'))).toEqual([
      'BAD_USER_INPUT',
    ]);
    // Well-formed but naming no real position: refused too, never sent to SQL.
    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    expect(codes(await forum.call(null, `{ panels(after: "${forged}") { edges { cursor } } }`))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(await panelCount()).toBe(before);
  });

  it('publishes exactly one panel.created event per panel, with the envelope of DESIGN.md', async () => {
    const events = await collectEvents(forum.infra.events, ['forum.panels']);
    const { data } = await forum.createPanel(alice, 'Event Horizon');
    await forum.createPanel(alice, 'event horizon'); // CONFLICT: no event
    // A control panel after them: once its event is in, any event of the refused one would be too.
    const control = (await forum.createPanel(alice, 'Event Control')).data!.createPanel.id;
    await waitFor('the control event', () => events.seen.some((e) => e.subject === control));
    await events.stop();
    expect(events.seen.pop()!.subject).toBe(control);
    expect(events.seen).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'panel.created',
        version: '1.0',
        occurredAt: expect.any(String),
        source: 'forum',
        subject: data!.createPanel.id,
        actorId: alice.id,
        data: expect.objectContaining({ id: data!.createPanel.id, slug: 'event-horizon', createdBy: alice.id }),
      },
    ]);
  });
});

describe('forum subgraph: data survives a restart', () => {
  it('keeps panels and posts in the data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agora-forum-'));
    let forum = await ForumUnderTest.start({ dataDir });
    const panel = (await forum.createPanel(alice, 'Persistent')).data!.createPanel;
    const post = (await forum.createPost(alice, { panelId: panel.id, title: 'Kept', body: 'on disk' })).data!
      .createPost;
    await forum.close();
    forum = await ForumUnderTest.start({ dataDir });
    try {
      expect(await forum.post(null, post.id)).toMatchObject({ title: 'Kept', panel: { id: panel.id, postCount: 1 } });
    } finally {
      await forum.close();
    }
  }, 60_000);
});
