import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import type { EventEnvelope } from '@agora/kit/events/port';
import { waitFor, codes, gql, type GraphQLResponse, STACK_START_TIMEOUT_MS } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';

interface Account {
  id: string;
  handle: string;
  token: string;
}

/** Transaction control: not a query of its own. */
const CONTROL =
  /^(START TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|SET TRANSACTION)\b/i;
/** What opens a background transaction: the outbox relay (its lock, the outbox) or an event consumer. */
const BACKGROUND = /pg_try_advisory_xact_lock|\boutbox\b|\bprocessed_events\b/;

/**
 * SQL statements each service's database runs while `work` runs: every statement of the
 * request, in a transaction or not. Background transactions (outbox relays and event
 * consumers, which run on their own) are told apart by what they touch and left out.
 */
async function countQueries(work: () => Promise<unknown>): Promise<Record<string, string[]>> {
  const byService: Record<string, string[]> = {};
  const background = new WeakSet<PostgresQueryRunner>();
  const original = PostgresQueryRunner.prototype.query;
  const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (
    this: PostgresQueryRunner,
    ...args: Parameters<PostgresQueryRunner['query']>
  ) {
    const sql = args[0].replace(/\s+/g, ' ').trim();
    if (!this.isTransactionActive || /^START TRANSACTION/i.test(sql)) background.delete(this);
    if (BACKGROUND.test(sql)) background.add(this);
    if (!CONTROL.test(sql) && !background.has(this)) (byService[serviceOf(this)] ??= []).push(sql);
    return original.apply(this, args);
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return byService;
}

/** Names a query runner's service by the migrations its database runs. */
function serviceOf(runner: PostgresQueryRunner): string {
  const migrations = runner.connection.migrations.map((m) => m.name ?? '');
  if (migrations.some((name) => name.startsWith('Comments'))) return 'comments';
  if (migrations.some((name) => name.startsWith('Panels'))) return 'forum';
  if (migrations.some((name) => name.startsWith('Profiles'))) return 'users';
  return 'other';
}

/**
 * The forum and comments through the gateway of an embedded stack, with real accounts
 * from auth and profiles from users.
 */
describe('forum and comments through the gateway', () => {
  let stack: EmbeddedStack;
  let url: string;
  let alice: Account;
  let bob: Account;
  let carol: Account;

  const subgraphUrl = (name: string) => stack.services.find((s) => s.name === name)!.graphqlUrl;
  const call = <D = Record<string, unknown>>(who: Account | null, query: string, variables?: Record<string, unknown>) =>
    gql<D>(url, query, variables, who ? { authorization: `Bearer ${who.token}` } : {});
  const ok = <D>(res: GraphQLResponse<D>): D => {
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const register = async (handle: string): Promise<Account> => {
    const res = ok(
      await call<{ register: { accessToken: string; user: { id: string } } }>(
        null,
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
        { input: { email: `${handle}@example.com`, password: 'Correct-horse-battery-9', handle } },
      ),
    );
    return { id: res.register.user.id, handle, token: res.register.accessToken };
  };
  const createPanel = async (who: Account, name: string) =>
    ok(
      await call<{ createPanel: { id: string } }>(
        who,
        'mutation($n: String!) { createPanel(input: { name: $n }) { id } }',
        { n: name },
      ),
    ).createPanel.id;
  const createPost = async (who: Account, panelId: string, title: string) =>
    ok(
      await call<{ createPost: { id: string } }>(
        who,
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId, title, body: `${title}, the body` } },
      ),
    ).createPost.id;
  const addComment = async (who: Account, postId: string, body: string, parentId?: string) =>
    ok(
      await call<{ addComment: { id: string } }>(
        who,
        'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
        { input: { postId, body, parentId } },
      ),
    ).addComment.id;

  const PANEL_PAGE = `query($id: ID!, $first: Int) { panel(id: $id) { postCount posts(first: $first) { edges { node {
    id title author { handle } commentCount
    comments(first: 3) { edges { node { body author { handle } parent { id } } } pageInfo { hasNextPage } } } } } } }`;
  interface PanelPage {
    panel: {
      postCount: number;
      posts: {
        edges: {
          node: {
            id: string;
            title: string;
            author: { handle: string };
            commentCount: number;
            comments: {
              edges: { node: { body: string; author: { handle: string }; parent: { id: string } | null } }[];
              pageInfo: { hasNextPage: boolean };
            };
          };
        }[];
      };
    };
  }

  beforeAll(async () => {
    stack = await startEmbeddedStack({ gatewayPort: 0, subgraphPort: () => 0 });
    url = stack.gateway.graphqlUrl;
    alice = await register('alice');
    bob = await register('bob');
    carol = await register('carol');
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => stack?.close());

  it('creates a panel, a post, a comment and a reply, then reads them all in one request', async () => {
    const panelId = await createPanel(alice, 'Acceptance');
    const postId = await createPost(alice, panelId, 'First post');
    const commentId = await addComment(bob, postId, 'Nice post');
    await addComment(alice, postId, 'Thanks!', commentId);

    const page = ok(await call<PanelPage>(null, PANEL_PAGE, { id: panelId, first: 10 }));
    expect(page.panel).toEqual({
      postCount: 1,
      posts: {
        edges: [
          {
            node: {
              id: postId,
              title: 'First post',
              author: { handle: 'alice' },
              commentCount: 2,
              comments: {
                edges: [
                  { node: { body: 'Thanks!', author: { handle: 'alice' }, parent: { id: commentId } } },
                  { node: { body: 'Nice post', author: { handle: 'bob' }, parent: null } },
                ],
                pageInfo: { hasNextPage: false },
              },
            },
          },
        ],
      },
    });
    const mine = ok(
      await call<{ user: { posts: { edges: { node: { title: string; panel: { id: string } } }[] } } }>(
        null,
        '{ user(handle: "alice") { posts(first: 5) { edges { node { title panel { id } } } } } }',
      ),
    );
    expect(mine.user.posts.edges).toEqual([{ node: { title: 'First post', panel: { id: panelId } } }]);
  });

  it('reads a page of 50 posts with authors, counts and 3 comments each in at most three SQL queries per subgraph, none per post', async () => {
    const panelId = await createPanel(carol, 'Query Budget');
    // Seeded straight into forum and comments, requests of several mutations each (which run in
    // order; at most the subgraphs' 15 root fields) instead of 250 through the gateway: the read
    // is what is under test.
    const seed = async (service: string, who: Account, fields: string[], variables?: Record<string, unknown>) => {
      const created: Record<string, { id: string }> = {};
      for (let i = 0; i < fields.length; i += 10) {
        const chunk = fields.slice(i, i + 10);
        const vars = variables
          ? `(${Object.keys(variables)
              .map((k) => `$${k}: ID!`)
              .join(', ')})`
          : '';
        Object.assign(
          created,
          ok(
            await gql<Record<string, { id: string }>>(
              subgraphUrl(service),
              `mutation${vars} { ${chunk.join(' ')} }`,
              variables,
              { authorization: `Bearer ${who.token}` },
            ),
          ),
        );
      }
      return created;
    };
    const postIds: string[] = [];
    for (const [who, from, to] of [
      [alice, 0, 17],
      [bob, 17, 34],
      [carol, 34, 50],
    ] as const) {
      const fields = Array.from(
        { length: to - from },
        (_, k) =>
          `p${from + k}: createPost(input: { panelId: $panel, title: "Post ${from + k}", body: "Body" }) { id }`,
      );
      const created = await seed('forum', who, fields, { panel: panelId });
      postIds.push(...Array.from({ length: to - from }, (_, k) => created[`p${from + k}`]!.id));
    }
    const commenters = [alice, bob, carol, alice];
    for (let c = 0; c < 4; c++) {
      const fields = postIds.map(
        (postId, i) => `c${i}: addComment(input: { postId: "${postId}", body: "Comment ${c} on ${i}" }) { id }`,
      );
      await seed('comments', commenters[c]!, fields);
    }

    let page!: GraphQLResponse<PanelPage>;
    const queries = await countQueries(async () => {
      page = await call<PanelPage>(alice, PANEL_PAGE, { id: panelId, first: 50 });
    });
    const posts = ok(page).panel.posts.edges.map((e) => e.node);
    expect(posts).toHaveLength(50);
    expect(posts[0]).toMatchObject({
      title: 'Post 49',
      commentCount: 4,
      comments: { pageInfo: { hasNextPage: true } },
    });
    expect(posts.every((p) => p.commentCount === 4 && p.comments.edges.length === 3)).toBe(true);
    expect(posts[0]!.comments.edges.map((e) => e.node.body)).toEqual([
      'Comment 3 on 49',
      'Comment 2 on 49',
      'Comment 1 on 49',
    ]);
    expect(
      new Set(posts.flatMap((p) => [p.author.handle, ...p.comments.edges.map((e) => e.node.author.handle)])),
    ).toEqual(new Set(['alice', 'bob', 'carol']));
    // forum: the panel, how many of its posts the signed-in viewer hides by blocks (for
    // postCount), then its posts. comments: the posts (with their counts), the hidden comments
    // per post (for commentCount), then their comments. users: the posts' authors, then the
    // comments' authors. Fixed whatever the page size (no query per post); none may be
    // missing: a count of zero would mean the spy saw nothing, not that the request was free.
    expect({
      forum: queries.forum?.length,
      comments: queries.comments?.length,
      users: queries.users?.length,
    }).toEqual({ forum: 3, comments: 3, users: 2 });
    console.info(
      `SQL queries for 50 posts × (author, commentCount, 3 comments × author): ${JSON.stringify(
        Object.fromEntries(Object.entries(queries).map(([service, statements]) => [service, statements.length])),
      )}`,
    );
  }, 120_000);

  it('refuses edits and deletes of someone else’s content, and removes deleted content from lists and counts', async () => {
    const panelId = await createPanel(alice, 'Moderation');
    const postId = await createPost(alice, panelId, 'Alice writes');
    const commentId = await addComment(bob, postId, 'Bob answers');
    const reply = await addComment(carol, postId, 'Carol replies', commentId);

    const forbidden = [
      await call(bob, `mutation { updatePost(id: "${postId}", input: { title: "Bob was here" }) { id } }`),
      await call(bob, `mutation { deletePost(id: "${postId}") }`),
      await call(alice, `mutation { updateComment(id: "${commentId}", body: "Alice edits") { id } }`),
      await call(alice, `mutation { deleteComment(id: "${commentId}") }`),
    ];
    expect(forbidden.map(codes)).toEqual([['FORBIDDEN'], ['FORBIDDEN'], ['FORBIDDEN'], ['FORBIDDEN']]);

    expect(ok(await call(bob, `mutation { deleteComment(id: "${commentId}") }`))).toEqual({ deleteComment: true });
    let page = ok(await call<PanelPage>(null, PANEL_PAGE, { id: panelId }));
    expect(page.panel.posts.edges[0]!.node).toMatchObject({
      title: 'Alice writes',
      commentCount: 1,
      comments: { edges: [{ node: { body: 'Carol replies', parent: null } }] },
    });
    expect(ok(await call(null, `{ comment(id: "${commentId}") { id } }`))).toEqual({ comment: null });

    expect(ok(await call(alice, `mutation { deletePost(id: "${postId}") }`))).toEqual({ deletePost: true });
    page = ok(await call<PanelPage>(null, PANEL_PAGE, { id: panelId }));
    expect(page.panel).toMatchObject({ postCount: 0, posts: { edges: [] } });
    expect(ok(await call(null, `{ post(id: "${postId}") { id } }`))).toEqual({ post: null });
    // Comments of a deleted post go too, once comments has heard of the deletion.
    await waitFor('the post deletion to reach comments', async () => {
      const res = await call<{ comment: unknown }>(null, `{ comment(id: "${reply}") { id } }`);
      return res.data?.comment === null;
    });
    expect(
      codes(await call(bob, `mutation { addComment(input: { postId: "${postId}", body: "late" }) { id } }`)),
    ).toEqual(['NOT_FOUND']);
  });

  it('handles limits, empty content, unknown targets and markup, each with its code', async () => {
    const panelId = await createPanel(bob, 'Limits');
    const create = (input: Record<string, unknown>) =>
      call(bob, 'mutation($input: CreatePostInput!) { createPost(input: $input) { id title body } }', {
        input: { panelId, title: 'ok', body: 'ok', ...input },
      });
    expect(codes(await create({ title: 't'.repeat(201) }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await create({ body: 'b'.repeat(40_001) }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await create({ title: '  ' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await create({ panelId: '00000000-0000-4000-8000-000000000000' }))).toEqual(['NOT_FOUND']);
    const markup = '<script>alert("pwned")</script>';
    const created = ok(await create({ title: markup, body: `${markup}<b>bold</b>` })) as {
      createPost: { id: string; title: string; body: string };
    };
    expect(created.createPost).toMatchObject({ title: markup, body: `${markup}<b>bold</b>` });
    const comment = await call<{ addComment: { body: string } }>(
      carol,
      'mutation($input: AddCommentInput!) { addComment(input: $input) { body } }',
      { input: { postId: created.createPost.id, body: markup } },
    );
    expect(comment.data!.addComment.body).toBe(markup);
    expect(
      codes(
        await call(carol, `mutation { addComment(input: { postId: "${created.createPost.id}", body: "" }) { id } }`),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(codes(await call(carol, 'mutation { addComment(input: { postId: "nope", body: "x" }) { id } }'))).toEqual([
      'NOT_FOUND',
    ]);
  });

  it('hides the posts and comments of a user the viewer blocked', async () => {
    const panelId = await createPanel(carol, 'Blocking');
    const bobsPost = await createPost(bob, panelId, 'By bob');
    const alicesPost = await createPost(alice, panelId, 'By alice');
    await addComment(bob, alicesPost, 'Bob comments');
    await addComment(carol, alicesPost, 'Carol comments');
    ok(await call(alice, `mutation { block(userId: "${bob.id}") { id } }`));

    await waitFor('the block to reach forum and comments', async () => {
      const page = ok(await call<PanelPage>(alice, PANEL_PAGE, { id: panelId }));
      const titles = page.panel.posts.edges.map((e) => e.node.title);
      const bodies = page.panel.posts.edges.flatMap((e) => e.node.comments.edges.map((c) => c.node.body));
      return titles.join() === 'By alice' && bodies.join() === 'Carol comments';
    });
    expect(ok(await call(alice, `{ post(id: "${bobsPost}") { id } }`))).toEqual({ post: null });
    // Others still see everything.
    const carols = ok(await call<PanelPage>(carol, PANEL_PAGE, { id: panelId }));
    expect(carols.panel.posts.edges.map((e) => e.node.title)).toEqual(['By alice', 'By bob']);
  });

  it('emits one event per write with the envelope of DESIGN.md', async () => {
    const seen: EventEnvelope[] = [];
    const consumer = await stack.infra.events.subscribe({
      group: 'forum-e2e-events',
      topics: ['forum.panels', 'forum.posts', 'comments.comments'],
      handle: async (event) => void seen.push(event),
    });
    const panelId = await createPanel(alice, 'Events');
    const postId = await createPost(alice, panelId, 'Evented');
    const commentId = await addComment(bob, postId, 'Evented comment');
    ok(await call(bob, `mutation { updateComment(id: "${commentId}", body: "edited") { id } }`));
    ok(await call(bob, `mutation { deleteComment(id: "${commentId}") }`));
    ok(await call(alice, `mutation { deletePost(id: "${postId}") }`));
    // A control write on each topic after them: once those are in, a duplicate would be too.
    const controlPanel = await createPanel(carol, 'Events control');
    const controlPost = await createPost(carol, controlPanel, 'Control');
    const controls = [controlPanel, controlPost, await addComment(carol, controlPost, 'Control')];
    await waitFor('the control events', () => controls.every((id) => seen.some((e) => e.subject === id)));
    await consumer.stop();
    const written = seen.filter((e) => !controls.includes(e.subject));
    expect(written.map((e) => [e.type, e.source, e.subject, e.actorId])).toEqual([
      ['panel.created', 'forum', panelId, alice.id],
      ['post.created', 'forum', postId, alice.id],
      ['comment.created', 'comments', commentId, bob.id],
      ['comment.updated', 'comments', commentId, bob.id],
      ['comment.deleted', 'comments', commentId, bob.id],
      ['post.deleted', 'forum', postId, alice.id],
    ]);
    for (const event of written) {
      expect(Object.keys(event).sort()).toEqual([
        'actorId',
        'data',
        'id',
        'occurredAt',
        'source',
        'subject',
        'type',
        'version',
      ]);
    }
  });
});
