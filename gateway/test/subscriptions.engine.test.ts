import { randomUUID } from 'node:crypto';
import { buildSchema } from 'graphql';
import { commentCreated, postUpdated } from '@agora/contracts/events';
import { deadLetterTopic, type DeadLetter } from '@agora/kit/events/consume';
import { newEvent } from '@agora/kit/events/port';
import { waitFor } from '@agora/kit/testing';
import type { Caller, Opened, Payload } from '../src/subscriptions/engine';
import { collect, postEventOf, TEST_SDL, testWorld, type TestWorld } from './subscriptions-world';

/** The transport-agnostic core: matching, sharing, rights, order and limits, without HTTP. */
describe('subscription engine', () => {
  let world: TestWorld;
  afterEach(() => world?.close());

  const panelA = randomUUID();
  const panelB = randomUUID();
  const alice = randomUUID();
  const bob = randomUUID();
  const carol = randomUUID();

  const open = (query: string, caller: Caller, variables?: Record<string, unknown>) =>
    world.engine.open({ query, variables }, caller, { overflow: () => undefined });
  const stream = (opened: Opened) => {
    if (opened.kind !== 'stream') throw new Error(`expected a stream, got ${JSON.stringify(opened)}`);
    return opened.stream;
  };
  const codes = (opened: Opened) => (opened.kind === 'errors' ? opened.errors.map((e) => e.extensions.code) : []);
  const post = (panelId: string, authorId: string = alice, title = 'Hello') => ({
    id: randomUUID(),
    panelId,
    authorId,
    title,
    body: 'text',
  });
  /**
   * Publishes a control post every subscriber gets and waits for it, then for the engine to
   * have nothing in flight: every event published before has been handled, delivered or not.
   */
  const settle = async (seen: Payload[][]) => {
    const marker = post(panelA, carol, 'marker');
    await world.createPost(marker);
    await waitFor(
      'the marker everywhere, and nothing in flight',
      () => seen.every((s) => s.some((p) => JSON.stringify(p).includes(marker.id))) && world.engine['inFlight'] === 0,
    );
  };

  it('delivers an event to subscribers of its panel only, with the selection resolved', async () => {
    world = await testWorld();
    const onA = collect(
      stream(
        await open(
          'subscription($p: ID) { postAdded(panelId: $p) { id title author { handle } } }',
          world.anonymous(),
          { p: panelA },
        ),
      ),
    );
    const onB = collect(
      stream(await open(`subscription { postAdded(panelId: "${panelB}") { id } }`, world.anonymous())),
    );
    const onAll = collect(stream(await open('subscription { everything: postAdded { id } }', world.anonymous())));
    world.handles.set(alice, 'alice');
    const created = post(panelA);
    await world.createPost(created);
    await waitFor('delivery', () => onA.length === 1 && onAll.length === 1);
    expect(onA[0]).toEqual({ data: { postAdded: { id: created.id, title: 'Hello', author: { handle: 'alice' } } } });
    expect(onAll[0]).toEqual({ data: { everything: { id: created.id } } });
    // Panel B's subscriber was live all along: a post of its own panel reaches it, and only that.
    const onPanelB = post(panelB);
    await world.createPost(onPanelB);
    await waitFor('the panel B post', () => onB.length === 1);
    expect(onB).toEqual([{ data: { postAdded: { id: onPanelB.id } } }]);
  });

  it('resolves each event once per distinct selection, variables and scope', async () => {
    world = await testWorld();
    const query = 'subscription($p: ID) { postAdded(panelId: $p) { id title } }';
    const same = await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        collect(
          stream(await open(query, i % 2 ? await world.signedIn(randomUUID()) : world.anonymous(), { p: panelA })),
        ),
      ),
    );
    // Same selection written differently, and no panel filter: the payload query is the same.
    const reformatted = collect(stream(await open('subscription { postAdded { id\n title } }', world.anonymous())));
    const other = collect(stream(await open('subscription { postAdded { id body } }', world.anonymous())));
    // viewer* fields depend on who asks: resolved per viewer.
    const perViewer = await Promise.all(
      [bob, carol].map(async (id) =>
        collect(
          stream(await open('subscription { postAdded { id author { viewerHasBlocked } } }', await world.signedIn(id))),
        ),
      ),
    );
    await world.createPost(post(panelA));
    const all = [...same, reformatted, other, ...perViewer];
    await waitFor('every subscriber', () => all.every((seen) => seen.length === 1));
    const payloads = world.resolutions.filter((r) => r.query.includes('postAddedPayload'));
    expect(payloads).toHaveLength(4); // shared + other + one per viewer
    expect(payloads.map((r) => r.viewerId).sort()).toEqual([null, null, bob, carol].sort());
  });

  it('keeps the subscriber variables the selection uses, and only those, in the shared key', async () => {
    world = await testWorld();
    const query =
      'subscription($p: ID, $withBody: Boolean!) { postAdded(panelId: $p) { id body @include(if: $withBody) } }';
    const withBody = collect(stream(await open(query, world.anonymous(), { p: panelA, withBody: true })));
    const without = collect(stream(await open(query, world.anonymous(), { p: panelA, withBody: false })));
    const created = post(panelA);
    await world.createPost(created);
    await waitFor('both', () => withBody.length === 1 && without.length === 1);
    expect(withBody[0]).toEqual({ data: { postAdded: { id: created.id, body: 'text' } } });
    expect(without[0]).toEqual({ data: { postAdded: { id: created.id } } });
    expect(world.resolutions).toHaveLength(2);
    expect(world.resolutions.map((r) => Object.keys(r.variables).sort())).toEqual([
      ['__subject', 'withBody'],
      ['__subject', 'withBody'],
    ]);
  });

  it('resolves fragments the subscriber spreads', async () => {
    world = await testWorld();
    const seen = collect(
      stream(
        await open(
          'subscription { postAdded { ...P } } fragment P on Post { id author { ...U } } fragment U on User { id }',
          world.anonymous(),
        ),
      ),
    );
    const created = post(panelA, bob);
    await world.createPost(created);
    await waitFor('delivery', () => seen.length === 1);
    expect(seen[0]).toEqual({ data: { postAdded: { id: created.id, author: { id: bob } } } });
  });

  it('delivers the events of one entity in order, though later resolutions would finish first', async () => {
    const id = randomUUID();
    let started = 0;
    world = await testWorld({
      // Resolution n sees title "vn" and takes (5 - n) * 15 ms: unordered, v4 would come first.
      resolveDelayMs: () => {
        world.posts.get(id)!.title = `v${started}`;
        return (5 - started++) * 15;
      },
    });
    const seen = collect(stream(await open('subscription { postAdded { title } }', world.anonymous())));
    world.posts.set(id, { id, panelId: panelA, authorId: alice, title: '', body: '' });
    const event = () => postEventOf({ id, panelId: panelA, authorId: alice, title: '', body: '' });
    await world.events.publish('forum.posts', [event(), event(), event(), event(), event()]);
    await waitFor('five', () => seen.length === 5);
    expect(seen.map((p) => (p.data as { postAdded: { title: string } }).postAdded.title)).toEqual([
      'v0',
      'v1',
      'v2',
      'v3',
      'v4',
    ]);
  });

  it('delivers a redelivered event (same id) once', async () => {
    world = await testWorld();
    const seen = collect(stream(await open('subscription { postAdded { id } }', world.anonymous())));
    const created = post(panelA);
    world.posts.set(created.id, created);
    const event = postEventOf(created);
    await world.events.publish('forum.posts', [event, event]);
    await settle([seen]);
    expect(seen).toHaveLength(2); // the post once, and the marker
  });

  it('ignores other event types, and dead-letters an event whose payload does not fit the catalogue', async () => {
    world = await testWorld();
    const letters: DeadLetter[] = [];
    await world.events.subscribe({
      group: 'dead-letter-reader',
      topics: [deadLetterTopic('gateway')],
      handle: async (event) => void letters.push(event.data as DeadLetter),
    });
    const seen = collect(stream(await open('subscription { postAdded { id } }', world.anonymous())));
    const created = post(panelA);
    world.posts.set(created.id, created);
    const unfit = newEvent({ type: 'post.created', source: 'forum', subject: created.id, data: { panelId: panelA } });
    await world.events.publish('forum.posts', [postEventOf(created, postUpdated), unfit]);
    await settle([seen]);
    expect(seen).toHaveLength(1); // only the marker
    await waitFor('the dead letter', () => letters.length === 1);
    expect(letters[0]).toMatchObject({ group: 'gateway', topic: 'forum.posts', event: { id: unfit.id } });
    expect(letters[0]!.reason).toMatch(/^id: /);
  });

  it('accepts a newer minor version of an event it reads', async () => {
    world = await testWorld();
    const seen = collect(stream(await open('subscription { postAdded { id } }', world.anonymous())));
    const created = post(panelA);
    world.posts.set(created.id, created);
    const newer = postEventOf(created);
    await world.events.publish('forum.posts', [
      { ...newer, version: '1.7', data: { ...newer.data, mood: 'new field' } },
    ]);
    await waitFor('the newer event', () => seen.some((p) => JSON.stringify(p).includes(created.id)));
  });

  it('does not deliver an entity the resolution cannot see', async () => {
    world = await testWorld();
    const seen = collect(stream(await open('subscription { postAdded { id } }', world.anonymous())));
    await world.events.publish('forum.posts', [
      postEventOf({ id: 'gone', panelId: panelA, authorId: alice, title: '', body: '' }),
    ]);
    await settle([seen]);
    expect(seen).toHaveLength(1);
  });

  it("never delivers a blocked author's posts to the user who blocked them", async () => {
    world = await testWorld();
    world.blocks.add(`${bob}:${alice}`); // known to the users subgraph before bob subscribes
    const bobSees = collect(stream(await open('subscription { postAdded { id } }', await world.signedIn(bob))));
    const carolSees = collect(stream(await open('subscription { postAdded { id } }', await world.signedIn(carol))));
    const aliceSees = collect(stream(await open('subscription { postAdded { id } }', await world.signedIn(alice))));
    await world.createPost(post(panelA, alice));
    await settle([bobSees, carolSees, aliceSees]);
    expect(bobSees).toHaveLength(1); // the marker only
    expect(carolSees).toHaveLength(2);
    expect(aliceSees).toHaveLength(2);
    // One shared resolution per post, whoever the viewers are.
    expect(world.resolutions.filter((r) => r.query.includes('postAddedPayload'))).toHaveLength(2);

    // Blocks and unblocks arrive as users.relations events.
    await world.relation('user.blocked', carol, alice);
    await world.relation('user.unblocked', bob, alice);
    // Topics are consumed independently (as with Kafka): wait until both are applied, or the
    // post could overtake them (and be withheld from bob, the safe side).
    const known = (pair: string) =>
      (world.engine['blocks'] as unknown as { known: Map<string, unknown> }).known.get(pair);
    await waitFor(
      'both relation events applied',
      () => known(`${carol}:${alice}`) === true && known(`${bob}:${alice}`) === false,
    );
    await world.createPost(post(panelA, alice));
    await settle([bobSees, carolSees]);
    expect(bobSees).toHaveLength(3);
    expect(carolSees).toHaveLength(3); // not the second post of alice
  });

  it('withholds an event when it cannot tell whether the viewer blocked its author', async () => {
    world = await testWorld();
    const seen = collect(stream(await open('subscription { postAdded { id } }', await world.signedIn(bob))));
    // A token that has stopped verifying: the users subgraph refuses to answer for this viewer.
    const expired: Caller = {
      viewer: { id: randomUUID(), roles: ['user'] },
      authorization: 'Bearer x.y.z',
      forwardedFor: '::1',
      address: '::1',
      callerClass: 'user',
    };
    const unsure = collect(stream(await open('subscription { postAdded { id } }', expired)));
    await world.createPost(post(panelA, alice));
    await settle([seen]);
    expect(seen).toHaveLength(2);
    // The unsure subscriber is live: a post of its own (no block check needed) reaches it, only that.
    const own = post(panelA, expired.viewer!.id);
    await world.createPost(own);
    await waitFor('its own post', () => unsure.length === 1);
    expect(unsure).toEqual([{ data: { postAdded: { id: own.id } } }]);
  });

  it('pictureProcessed without an id: only the signed-in owner, resolved as them', async () => {
    world = await testWorld();
    expect(codes(await open('subscription { pictureProcessed { id } }', world.anonymous()))).toEqual([
      'UNAUTHENTICATED',
    ]);
    const mine = collect(
      stream(await open('subscription { pictureProcessed { id status } }', await world.signedIn(bob))),
    );
    const oneId = randomUUID();
    const watching = collect(
      stream(await open(`subscription { pictureProcessed(pictureId: "${oneId}") { id } }`, world.anonymous())),
    );
    await world.pictureProcessed(randomUUID(), alice);
    await world.pictureProcessed(oneId, alice);
    const bobs = randomUUID();
    await world.pictureProcessed(bobs, bob);
    // Notices are dispatched in publish order: once bob's (the last) is delivered and nothing is in
    // flight, alice's two have been handled too, delivered or not.
    await waitFor(
      'deliveries, and nothing in flight',
      () => mine.length >= 1 && watching.length >= 1 && world.engine['inFlight'] === 0,
    );
    // The whole lists: bob's own picture once, none of alice's; the watcher only the picture it named.
    expect(mine).toEqual([{ data: { pictureProcessed: { id: bobs, status: 'READY' } } }]);
    expect(watching).toEqual([{ data: { pictureProcessed: { id: oneId } } }]);
    expect(world.resolutions.find((r) => r.variables.__subject === bobs)?.viewerId).toBe(bob);
  });

  it('refuses malformed, invalid and unknown operations with codes', async () => {
    world = await testWorld();
    const anon = world.anonymous();
    expect(codes(await open('subscription { postAdded { id }', anon))).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codes(await open('subscription { postAdded { nope } }', anon))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await open('subscription { postAdded { id } pictureProcessed { id } }', anon))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect(codes(await open('subscription($p: ID!) { postAdded(panelId: $p) { id } }', anon))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await open('subscription { ... on Subscription { postAdded { id } } }', anon))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await open('subscription { unsourced { id } }', anon))).toEqual(['BAD_USER_INPUT']);
    const nested = (depth: number): string => (depth === 0 ? 'id' : `author { latestPost { ${nested(depth - 1)} } }`);
    expect(codes(await open(`subscription { postAdded { ${nested(4)} } }`, anon))).toEqual([]); // depth 10
    expect(codes(await open(`subscription { postAdded { ${nested(5)} } }`, anon))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect(codes(await open('query A { post(id: "x") { id } } query B { post(id: "y") { id } }', anon))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(world.resolutions).toHaveLength(0);
  });

  it('runs queries sent over a subscription transport once, as the caller', async () => {
    world = await testWorld();
    const created = post(panelA);
    world.posts.set(created.id, created);
    const opened = await open('query($id: ID!) { post(id: $id) { title } }', await world.signedIn(bob), {
      id: created.id,
    });
    expect(opened).toMatchObject({ kind: 'result', result: { data: { post: { title: 'Hello' } } } });
    expect(world.resolutions[0]!.viewerId).toBe(bob);
  });

  it('cuts off a subscriber that falls more than the queue limit behind, and tells the transport', async () => {
    world = await testWorld({ queueLimit: 3 });
    const reasons: string[] = [];
    const opened = await world.engine.open({ query: 'subscription { postAdded { id } }' }, world.anonymous(), {
      overflow: (reason) => reasons.push(reason),
    });
    const reader = collect(stream(await open('subscription { postAdded { id } }', world.anonymous())));
    for (let i = 0; i < 5; i++) await world.createPost(post(panelA));
    await waitFor('the reader', () => reader.length === 5);
    expect(reasons).toEqual(['slow consumer: more than 3 events pending']);
    // The slow one has been dropped: nothing left to read.
    const slow = stream(opened);
    expect(await slow.next()).toEqual({ value: undefined, done: true });
  });

  it('stops resolving for a subscriber once it unsubscribes', async () => {
    world = await testWorld();
    const gone = stream(await open('subscription { postAdded { id } }', world.anonymous()));
    const live = collect(stream(await open('subscription { postAdded { title } }', world.anonymous())));
    await gone.return();
    await world.createPost(post(panelA));
    await waitFor('the live subscriber', () => live.length === 1);
    // The event was resolved once, for the live selection; nothing for the one that left.
    expect(world.resolutions.map((r) => r.query.replace(/\s+/g, ' '))).toEqual([
      expect.stringMatching(/post\(id: \$__subject\) \{ title \}/),
    ]);
  });

  it('holds the event consumer once the in-flight bound is reached, until resolutions finish', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let most = 0;
    world = await testWorld({
      maxEventsInFlight: 3,
      resolveGate: async () => {
        most = Math.max(most, ++running);
        await held;
        running -= 1;
      },
    });
    const seen = collect(stream(await open('subscription { postAdded { id } }', world.anonymous())));
    const posts = Array.from({ length: 10 }, () => post(panelA));
    for (const created of posts) await world.createPost(created);
    // Three resolutions run; the consumer waits with the fourth event in hand and reads no further.
    await waitFor('three resolutions', () => world.resolutions.length === 3);
    await waitFor('the consumer to wait', () => world.engine['admissions'].length === 1);
    expect(world.resolutions).toHaveLength(3);
    expect(seen).toEqual([]);
    release();
    await waitFor('every post', () => seen.length === 10);
    expect(most).toBe(3);
    expect(seen.map((p) => (p.data as { postAdded: { id: string } }).postAdded.id).sort()).toEqual(
      posts.map((p) => p.id).sort(),
    );
  });

  it('completes an open subscription on close, after what is queued, and opens no new one', async () => {
    world = await testWorld();
    const subscription = stream(await open('subscription { postAdded { id } }', world.anonymous()));
    await world.createPost(post(panelA));
    await waitFor('queued', () => world.resolutions.length === 1);
    await world.engine.close();
    const seen: Payload[] = [];
    for await (const payload of subscription) seen.push(payload);
    expect(seen).toHaveLength(1);
    expect(codes(await open('subscription { postAdded { id } }', world.anonymous()))).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('follows a reloaded supergraph: new fields and their topics', async () => {
    world = await testWorld();
    const sdl = TEST_SDL.replace(
      'unsourced: Post!',
      'commentAdded(postId: ID!): Post! @event(topic: "comments.comments", type: "comment.created", subject: "postId", filter: ["postId"])',
    );
    expect(codes(await open('subscription { commentAdded(postId: "p") { id } }', world.anonymous()))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    const before = collect(stream(await open('subscription { postAdded { id } }', world.anonymous())));
    world.engine.schemaChanged(buildSchema(sdl), sdl);
    await world.engine.ready();
    const created = post(panelA);
    world.posts.set(created.id, created);
    const seen = collect(
      stream(await open(`subscription { commentAdded(postId: "${created.id}") { title } }`, world.anonymous())),
    );
    await world.events.publish('comments.comments', [
      commentCreated.build({
        subject: 'c1',
        data: {
          id: 'c1',
          postId: created.id,
          authorId: alice,
          parentId: null,
          body: 'hi',
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        },
      }),
    ]);
    await world.createPost(post(panelA));
    await waitFor('both', () => seen.length === 1 && before.length === 1);
    expect(seen[0]).toEqual({ data: { commentAdded: { title: 'Hello' } } });
  });

  it('refuses a bad token as UNAUTHENTICATED', async () => {
    world = await testWorld();
    const origin = { forwardedFor: '127.0.0.1', address: '127.0.0.1' };
    await expect(world.engine.authenticate({ authorization: 'Bearer nope' }, origin)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    await expect(world.engine.authenticate({}, origin)).resolves.toMatchObject({ viewer: null });
  });
});
