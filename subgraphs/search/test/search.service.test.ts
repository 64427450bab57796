import { randomUUID } from 'node:crypto';
import { newEvent } from '@agora/contracts/events';
import { collectDeadLetters, codes, waitFor } from '@agora/kit/testing';
import { Producers, type Comment, type Picture, type Post } from './events';
import { SearchUnderTest } from './harness';

/**
 * The search subgraph alone (PGlite, the in-process event log): fed only by the events the
 * other services publish, built here through the catalogue, and queried over HTTP.
 */
describe('search subgraph', () => {
  let search: SearchUnderTest;
  let p: Producers;
  const people = {} as Record<'ada' | 'bob' | 'carol' | 'dave', string>;
  let kube: Post;
  let bread: Post;
  let marathon: Post;
  let markup: Post;
  let review: Comment;
  let starter: Comment;
  let diagram: Picture;
  let sketch: Picture;

  beforeAll(async () => {
    search = await SearchUnderTest.start();
    p = new Producers(search.events);
    people.ada = await p.user('ada', 'Ada Lovelace');
    people.bob = await p.user('bob', 'Bob Stone');
    people.carol = await p.user('carol', 'Carol Finch');
    people.dave = await p.user('dave', 'Dave Hill');
    kube = await p.post(people.ada, {
      title: 'Kubernetes operators in practice',
      body: 'Writing an operator for stateful workloads: the reconcile loop, finalizers and status.',
      tags: ['Kubernetes', 'go'],
    });
    bread = await p.post(people.ada, {
      title: 'Baking sourdough bread',
      body: 'Flour, water and patience. The starter needs feeding every day.',
      tags: ['cooking'],
    });
    marathon = await p.post(people.bob, {
      title: 'Running a marathon',
      body: 'Training plans for long distance running, and what to eat before the race.',
      tags: ['sport'],
    });
    markup = await p.post(people.bob, {
      title: 'Markup <script>alert("x")</script> & friends',
      body: 'Escaping <b>bold</b> text & entities like &amp; in a script',
      tags: [],
    });
    review = await p.comment(people.bob, kube.id, 'Great operator write-up, the reconcile section helped me');
    starter = await p.comment(people.dave, bread.id, 'My sourdough starter died last week');
    diagram = await p.picture(people.dave, 'Kubernetes cluster diagram', ['kubernetes', 'diagram']);
    sketch = await p.picture(people.dave, 'Unprocessed kubernetes sketch', ['kubernetes'], null);
    await p.picture(people.dave, 'Failed kubernetes photo', ['kubernetes'], 'FAILED');
    await search.indexed();
  }, 60_000);
  afterAll(() => search?.close());

  it('finds posts, comments and people by a word of their text, with the matches highlighted', async () => {
    const operator = await search.search('operator');
    expect(operator.edges.map((e) => e.node)).toEqual(
      expect.arrayContaining([
        { __typename: 'Post', id: kube.id },
        { __typename: 'Comment', id: review.id },
      ]),
    );
    expect(operator.totalCount).toBe(2);
    const comment = operator.edges.find((e) => e.node!.id === review.id)!;
    expect(comment.highlight).toBe('Great <mark>operator</mark> write-up, the reconcile section helped me');
    expect(comment.score).toEqual(expect.any(Number));

    expect(await search.ids('sourdough')).toEqual(expect.arrayContaining([bread.id, starter.id]));
    const ada = await search.search('lovelace');
    expect(ada.edges.map((e) => e.node)).toEqual([{ __typename: 'User', id: people.ada }]);
    expect(ada.edges[0]!.highlight).toBe('Ada <mark>Lovelace</mark> @ada');
  });

  it('ranks a title match above a body match, and a newer document above an equal older one', async () => {
    // "operator" is in the post's title and body, only in the comment's body.
    expect(await search.ids('operator')).toEqual([kube.id, review.id]);
    const older = await p.post(people.bob, { title: 'Twin topic', body: 'identical body text' });
    const newer = await p.post(people.bob, { title: 'Twin topic', body: 'identical body text' });
    await search.indexed();
    expect(await search.ids('twin topic')).toEqual([newer.id, older.id]);
  });

  it('understands web-search syntax: "phrases", or, -exclusion, and stems words', async () => {
    expect(await search.ids('"reconcile loop"')).toEqual([kube.id]);
    expect(new Set(await search.ids('sourdough or marathon'))).toEqual(new Set([bread.id, starter.id, marathon.id]));
    expect(await search.ids('kubernetes -diagram', { types: ['POST', 'PICTURE'] })).toEqual([kube.id]);
    // "ran"/"runs" share the stem of "running"; "finalizer" that of "finalizers".
    expect(await search.ids('runs', { types: ['POST'] })).toEqual([marathon.id]);
    expect(await search.ids('finalizer')).toEqual([kube.id]);
  });

  it('matches the last word as a prefix while it is typed, stemmed or as typed', async () => {
    expect(new Set(await search.ids('kubern'))).toEqual(new Set([kube.id, diagram.id]));
    // "runni" is longer than the stem "run": the unstemmed title catches it.
    expect(await search.ids('runni')).toEqual([marathon.id]);
    expect(new Set(await search.ids('sourdough star'))).toEqual(new Set([starter.id, bread.id]));
    // Once a space follows, the word is whole: "kubern " is no word of any text.
    const whole = await search.search('kubern ');
    expect(whole.correctedQuery).toBe('kubernetes');
  });

  it('still finds a title word typed with a one-letter typo, and says which query ran', async () => {
    const typo = await search.search('kubernetis');
    expect(typo.correctedQuery).toBe('kubernetes');
    expect(new Set(typo.edges.map((e) => e.node!.id))).toEqual(new Set([kube.id, diagram.id]));
    expect((await search.search('sourdogh bread')).edges.map((e) => e.node!.id)).toEqual([bread.id]);
    expect((await search.search('marathn')).edges.map((e) => e.node!.id)).toEqual([marathon.id]);
    // Found as typed: no correction.
    expect((await search.search('marathon')).correctedQuery).toBeNull();
    const nothing = await search.search('zzzqqqxxx');
    expect(nothing).toMatchObject({ totalCount: 0, correctedQuery: null, edges: [] });
  });

  it('combines tag and type filters', async () => {
    expect(new Set(await search.ids('kubernetes', { tags: ['kubernetes'] }))).toEqual(new Set([kube.id, diagram.id]));
    expect(await search.ids('kubernetes', { tags: ['KUBERNETES '], types: ['PICTURE'] })).toEqual([diagram.id]);
    expect(await search.ids('kubernetes', { tags: ['kubernetes'], types: ['POST'] })).toEqual([kube.id]);
    expect(await search.ids('kubernetes', { tags: ['kubernetes', 'go'] })).toEqual([kube.id]);
    expect(await search.ids('kubernetes', { tags: ['go', 'diagram'] })).toEqual([]);
    expect(await search.ids('operator', { types: ['COMMENT'] })).toEqual([review.id]);
    expect(await search.ids('operator', { types: ['USER'] })).toEqual([]);
  });

  it('shows a picture only once it is READY', async () => {
    expect(await search.ids('sketch')).toEqual([]);
    await p.send(
      'pictures.pictures',
      (await import('@agora/contracts/events')).pictureProcessedEvent.build({
        subject: sketch.id,
        data: { ...sketch, status: 'READY' },
      }),
    );
    await search.indexed();
    expect(await search.ids('sketch')).toEqual([sketch.id]);
    expect(await search.ids('failed photo')).toEqual([]);
  });

  it('escapes the content of highlights: the only markup is <mark>', async () => {
    const [hit] = (await search.search('script', { types: ['POST'] })).edges;
    expect(hit!.node!.id).toBe(markup.id);
    expect(hit!.highlight).toBe(
      'Escaping &lt;b&gt;bold&lt;/b&gt; text &amp; entities like &amp;amp; in a <mark>script</mark>',
    );
    const [title] = (await search.search('friends')).edges;
    expect(title!.highlight).toBe(
      'Markup &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>friends</mark>',
    );
    expect(title!.highlight.replace(/<\/?mark>/g, '')).not.toMatch(/[<>"]/);
  });

  it("hides a blocked author's content (and person, and the comments under their posts) from the blocker only, until unblocked", async () => {
    await p.block(people.carol, people.ada);
    await search.indexed();
    // dave's comment is under ada's post, which the forum no longer shows carol: hidden too.
    expect(await search.ids('sourdough', { viewer: people.carol })).toEqual([]);
    expect(await search.ids('lovelace', { viewer: people.carol })).toEqual([]);
    expect((await search.search('sourdough', { viewer: people.carol })).totalCount).toBe(0);
    expect(await search.ids('died', { viewer: people.dave })).toEqual([starter.id]);
    expect(new Set(await search.ids('sourdough', { viewer: people.bob }))).toEqual(new Set([bread.id, starter.id]));
    expect(new Set(await search.ids('sourdough'))).toEqual(new Set([bread.id, starter.id]));
    await p.block(people.carol, people.ada, true);
    await search.indexed();
    expect(new Set(await search.ids('sourdough', { viewer: people.carol }))).toEqual(new Set([bread.id, starter.id]));
  });

  it('reflects edits and deletions, and hides the comments of a deleted post', async () => {
    const author = people.bob;
    const post = await p.post(author, {
      title: 'Temporary gardening notes',
      body: 'tomatoes and basil',
      tags: ['garden'],
    });
    const note = await p.comment(people.dave, post.id, 'basil loves sunshine');
    await search.indexed();
    expect(new Set(await search.ids('basil'))).toEqual(new Set([post.id, note.id]));
    await p.editPost(post, { title: 'Permanent gardening notes', body: 'courgettes only', tags: ['vegetables'] });
    await p.editComment(note, 'courgettes love sunshine');
    await search.indexed();
    expect(await search.ids('basil')).toEqual([]);
    expect(await search.ids('permanent')).toEqual([post.id]);
    expect(await search.ids('garden', { tags: ['garden'] })).toEqual([]);
    expect(await search.ids('gardening', { tags: ['vegetables'] })).toEqual([post.id]);
    expect(await search.tags('veg')).toEqual([{ tag: 'vegetables', count: 1 }]);
    await p.deletePost(post);
    await search.indexed();
    expect(await search.ids('courgettes')).toEqual([]);
    expect(await search.tags('veg')).toEqual([]);
    // A late edit of a deleted post (or of its comment) brings nothing back.
    await p.editPost(post, { title: 'Zombie gardening notes' });
    await p.editComment(note, 'zombie courgettes');
    await search.indexed();
    expect(await search.ids('zombie')).toEqual([]);
    const gone = await p.comment(people.dave, bread.id, 'a fleeting remark about rye');
    await search.indexed();
    expect(await search.ids('rye')).toEqual([gone.id]);
    await p.deleteComment(gone);
    await search.indexed();
    expect(await search.ids('rye')).toEqual([]);
  });

  it('finds people by name, handle and bio after they edit their profile', async () => {
    await p.profile(people.dave, 'dave', 'Captain Dave', 'Collects analytical engines and sourdough starters');
    await search.indexed();
    const hits = (await search.search('analytical engines', { types: ['USER'] })).edges;
    expect(hits.map((e) => e.node)).toEqual([{ __typename: 'User', id: people.dave }]);
    expect(hits[0]!.highlight).toBe('Collects <mark>analytical</mark> <mark>engines</mark> and sourdough starters');
    expect(await search.ids('captain')).toEqual([people.dave]);
    expect(await search.ids('dave', { types: ['USER'] })).toEqual([people.dave]);
    expect(await search.ids('hill')).toEqual([]);
    // A registration seen after the edit (another topic) does not undo it.
    const late = randomUUID();
    await p.profile(late, 'latecomer', 'Late Comer', 'arrived out of order');
    await p.send(
      'auth.users',
      (await import('@agora/contracts/events')).userRegistered.build({
        subject: late,
        data: { userId: late, handle: 'latecomer', displayName: 'latecomer' },
      }),
    );
    await search.indexed();
    expect(await search.ids('order', { types: ['USER'] })).toEqual([late]);
  });

  it('pages with cursors: every result once, best first, with the total on every page', async () => {
    const author = people.bob;
    const made = [];
    for (let i = 0; i < 25; i++)
      made.push((await p.post(author, { title: `Paging sample ${i}`, body: 'pagination' })).id);
    await search.indexed();
    const seen: string[] = [];
    const scores: number[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await search.search('pagination', { first: 10, after });
      pages++;
      expect(page.totalCount).toBe(25);
      seen.push(...page.edges.map((e) => e.node!.id));
      scores.push(...page.edges.map((e) => e.score));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(new Set(made));
    expect(seen).toHaveLength(25);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // Newest first among equals.
    expect(seen).toEqual([...made].reverse());
  });

  it('refuses bad input with BAD_USER_INPUT', async () => {
    const refused = async (q: string, args = {}) => codes(await search.raw(q, args));
    expect(await refused('')).toEqual(['BAD_USER_INPUT']);
    expect(await refused('   ')).toEqual(['BAD_USER_INPUT']);
    expect(await refused('a'.repeat(1_000))).toEqual(['BAD_USER_INPUT']);
    expect(await refused('a'.repeat(257))).toEqual(['BAD_USER_INPUT']);
    expect(await refused('kubernetes', { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) })).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(await refused('kubernetes', { first: 0 })).toEqual(['BAD_USER_INPUT']);
    expect(await refused('kubernetes', { first: 101 })).toEqual(['BAD_USER_INPUT']);
    expect(await refused('kubernetes', { after: 'forged' })).toEqual(['BAD_USER_INPUT']);
    expect(await refused('kubernetes', { after: Buffer.from('["x","y"]').toString('base64url') })).toEqual([
      'BAD_USER_INPUT',
    ]);
    const empty = await search.raw('');
    expect(empty.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    expect(codes(await search.call(undefined, '{ tagSuggestions(prefix: "k", first: 51) { tag } }'))).toEqual([
      'BAD_USER_INPUT',
    ]);
    // Odd but valid queries answer.
    for (const odd of ['"', '-', 'or', '(((', "o'neil & c++ | !x", '\\', '%_']) {
      const res = await search.raw(odd);
      expect(res.errors).toBeUndefined();
    }
  });

  it('suggests tags by prefix with the number of visible posts and pictures carrying them', async () => {
    expect(await search.tags('kub')).toEqual([{ tag: 'kubernetes', count: 3 }]);
    expect(await search.tags('  KUB')).toEqual([{ tag: 'kubernetes', count: 3 }]);
    expect(await search.tags('%')).toEqual([]);
    const top = await search.tags('', 2);
    expect(top[0]).toEqual({ tag: 'kubernetes', count: 3 });
    expect(top).toHaveLength(2);
    await p.deletePicture(diagram);
    await search.indexed();
    expect(await search.tags('kub')).toEqual([{ tag: 'kubernetes', count: 2 }]);
  });

  it('delivering the same events twice changes nothing', async () => {
    const queries = ['kubernetes', 'sourdough', 'operator', 'pagination', 'lovelace', 'analytical'];
    const snapshot = async () => ({
      results: await Promise.all(queries.map((q) => search.search(q, { first: 50 }))),
      tags: await search.tags('', 50),
    });
    const before = await snapshot();
    await p.redeliverAll();
    await search.indexed();
    expect(await snapshot()).toEqual(before);
  });

  it('dead-letters an event that does not fit the catalogue, with the reason, and goes on', async () => {
    const letters = await collectDeadLetters(search.events, search.service.indexer.group!);
    const unfitPost = newEvent({
      type: 'post.created',
      source: 'forum',
      subject: randomUUID(),
      data: { id: randomUUID(), body: 'no title' },
    });
    const unfitUser = newEvent({
      type: 'user.registered',
      source: 'auth',
      subject: randomUUID(),
      data: { handle: 'x' },
    });
    const unfitPicture = newEvent({ type: 'picture.processed', source: 'pictures', subject: randomUUID(), data: {} });
    const unfitComment = newEvent({ type: 'comment.created', source: 'comments', subject: randomUUID(), data: {} });
    const unfitProfile = newEvent({ type: 'user.profile-updated', source: 'users', subject: randomUUID(), data: {} });
    await p.send('forum.posts', unfitPost);
    await p.send('auth.users', unfitUser);
    await p.send('pictures.pictures', unfitPicture);
    await p.send('comments.comments', unfitComment);
    await p.send('users.profiles', unfitProfile);
    const after = await p.post(people.bob, { title: 'After the unfit ones', body: 'still indexing' });
    await search.indexed();
    await waitFor('five dead letters', () => letters.length === 5);
    expect(letters.map((l) => [l.topic, l.event.id]).sort()).toEqual(
      [
        ['forum.posts', unfitPost.id],
        ['auth.users', unfitUser.id],
        ['pictures.pictures', unfitPicture.id],
        ['comments.comments', unfitComment.id],
        ['users.profiles', unfitProfile.id],
      ].sort(),
    );
    expect(letters.find((l) => l.event.id === unfitPost.id)!.reason).toMatch(/title/);
    expect(letters.find((l) => l.event.id === unfitUser.id)!.reason).toMatch(/userId/);
    expect(await search.ids('unfit')).toEqual([after.id]);
  });
});
