import { codes, gql, type GraphQLResponse } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';

/**
 * A subgraph that is down costs only the fields it resolves: the rest of the response
 * stands, and the error names the service and the path, without internals.
 */
describe('partial results with a subgraph down', () => {
  let stack: EmbeddedStack;
  let url: string;
  let postId: string;

  const ok = <D>(res: GraphQLResponse<D>): D => {
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };

  beforeAll(async () => {
    stack = await startEmbeddedStack({ gatewayPort: 0, subgraphPort: () => 0 });
    url = stack.gateway.graphqlUrl;
    const registered = ok(
      await gql<{ register: { accessToken: string } }>(
        url,
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
        { input: { email: 'partial@example.com', password: 'Correct-horse-battery-9', handle: 'partial' } },
      ),
    );
    const auth = { authorization: `Bearer ${registered.register.accessToken}` };
    const panel = ok(
      await gql<{ createPanel: { id: string } }>(
        url,
        'mutation { createPanel(input: { name: "Partial" }) { id } }',
        {},
        auth,
      ),
    ).createPanel.id;
    postId = ok(
      await gql<{ createPost: { id: string } }>(
        url,
        'mutation($p: ID!) { createPost(input: { panelId: $p, title: "Still here", body: "b" }) { id } }',
        { p: panel },
        auth,
      ),
    ).createPost.id;
    ok(
      await gql(url, 'mutation($p: ID!) { addComment(input: { postId: $p, body: "hi" }) { id } }', { p: postId }, auth),
    );
  }, 150_000);

  afterAll(() => stack?.close());

  const postQuery = `query($id: ID!) { post(id: $id) { id title author { handle } commentCount comments(first: 5) { edges { node { body } } } } }`;

  it('keeps the post, with comments null and an error naming the comments service and path', async () => {
    const before = ok(await gql<{ post: { commentCount: number } }>(url, postQuery, { id: postId }));
    expect(before.post.commentCount).toBe(1);

    const index = stack.services.findIndex((s) => s.name === 'comments');
    const [comments] = stack.services.splice(index, 1);
    await comments!.close();

    // Another selection than the one read above: the gateway's response cache must not answer it.
    const response = await gql(url, postQuery.replace('comments(first: 5)', 'comments(first: 4)'), { id: postId });
    expect(response.status).toBe(200);
    expect(response.data).toEqual({
      post: { id: postId, title: 'Still here', author: { handle: 'partial' }, commentCount: null, comments: null },
    });
    expect(codes(response)).toEqual(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE']);
    expect(response.errors!.map((e) => e.path).sort()).toEqual([
      ['post', 'commentCount'],
      ['post', 'comments'],
    ]);
    for (const error of response.errors!) {
      expect(error.message).toBe('The comments service is unavailable; try again shortly');
      expect(error.extensions).toMatchObject({ service: 'comments' });
    }
    expect(JSON.stringify(response)).not.toMatch(/127\.0\.0\.1|ECONN|fetch failed|stack/i);

    // Fields of other subgraphs are unaffected.
    const panels = await gql(url, '{ panels(first: 5) { edges { node { name } } } }');
    expect(panels.errors).toBeUndefined();
  });
});
