import { randomUUID } from 'node:crypto';
import type { RunningSearch } from '@agora/search/service';
import type { EventLog } from '@agora/kit/events/port';
import { createInfra, type Infra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import { describeWithService, freshDatabase, gql, waitFor, type GraphQLResponse } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';
import { SEARCH_THROUGH_GATEWAY, type SearchData } from './search-query';

/**
 * The event log shared with other test runs, with this run's consumer groups kept apart (a
 * prefix): a service's group then sees every event of the topics, and no other process takes
 * its partitions. Search's own groups are unique per database anyway.
 */
function isolated(events: EventLog, prefix: string): EventLog {
  return {
    publish: (topic, batch) => events.publish(topic, batch),
    subscribe: (options) => events.subscribe({ ...options, group: `${prefix}${options.group}` }),
    backlog: (group, topics) => events.backlog(`${prefix}${group}`, topics),
    close: () => events.close(),
  };
}

/**
 * Search in distributed mode: every subgraph on PostgreSQL (its own schema of a fresh
 * database) and the event log on Kafka (devstack's), behind the gateway. The services share
 * this test's process; what matters here is search's path through the real adapters: the
 * forum's outbox relay to Kafka, search's consumer reading it into PostgreSQL.
 */
describeWithService(['DATABASE_URL', 'KAFKA_BROKERS'], 'search on PostgreSQL and Kafka', (serverUrl, brokers) => {
  let database: { url: string; drop: () => Promise<void> };
  let infra: Infra;
  let stack: EmbeddedStack;
  let url: string;
  let token: string;
  let panelId: string;

  const call = <D = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, auth = true) =>
    gql<D>(url, query, variables, auth ? { authorization: `Bearer ${token}` } : {});
  const ok = <D>(res: GraphQLResponse<D>): D => {
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const search = async (q: string) => ok(await call<SearchData>(SEARCH_THROUGH_GATEWAY, { q }, false)).search;
  const searchService = () => stack.services.find((s) => s.name === 'search') as RunningSearch;

  beforeAll(async () => {
    database = await freshDatabase(serverUrl);
    const kafka = await createInfra({ KAFKA_BROKERS: brokers }, { service: 'search-test', log: createLogger('test') });
    infra = { ...kafka, events: isolated(kafka.events, `t${randomUUID().slice(0, 8)}.`) };
    stack = await startEmbeddedStack({ gatewayPort: 0, subgraphPort: () => 0, infra, databaseUrl: database.url });
    url = stack.gateway.graphqlUrl;
    const handle = `k${randomUUID().slice(0, 8)}`;
    const registered = ok(
      await call<{ register: { accessToken: string } }>(
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
        { input: { email: `${handle}@example.com`, password: 'Correct-horse-battery-9', handle } },
        false,
      ),
    );
    token = registered.register.accessToken;
    panelId = ok(
      await call<{ createPanel: { id: string } }>('mutation($n: String!) { createPanel(input: { name: $n }) { id } }', {
        n: `Kafka ${handle}`,
      }),
    ).createPanel.id;
    // The new index first reads the topics' whole history (other runs' events included).
    const live = searchService();
    await waitFor(
      'search to catch up with the history on Kafka',
      async () => (await infra.events.backlog(live.indexer.group!, ['forum.posts', 'auth.users'])) === 0,
      120_000,
    );
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
    await infra?.close();
    await database?.drop();
  }, 60_000);

  it('finds a post created through the gateway within 2 s, highlighted, with its author; then its edit and deletion', async () => {
    const word = `zeta${randomUUID().slice(0, 6)}`;
    const { createPost } = ok(
      await call<{ createPost: { id: string } }>(
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId, title: 'Over Kafka', body: `A body with ${word} in it.` } },
      ),
    );
    const started = Date.now();
    await waitFor('the post in search', async () => (await search(word)).totalCount === 1, 2_000);
    const tookMs = Date.now() - started;
    const [hit] = (await search(word)).edges;
    expect(hit).toMatchObject({
      highlight: `A body with <mark>${word}</mark> in it`,
      node: { __typename: 'Post', id: createPost.id, title: 'Over Kafka', author: { handle: expect.any(String) } },
    });
    expect(tookMs).toBeLessThan(2_000);

    const edited = `eta${randomUUID().slice(0, 6)}`;
    ok(
      await call('mutation($id: ID!, $b: String!) { updatePost(id: $id, input: { body: $b }) { id } }', {
        id: createPost.id,
        b: edited,
      }),
    );
    await waitFor('the edit', async () => (await search(edited)).totalCount === 1, 2_000);
    expect((await search(word)).totalCount).toBe(0);
    ok(await call('mutation($id: ID!) { deletePost(id: $id) }', { id: createPost.id }));
    await waitFor('the deletion', async () => (await search(edited)).totalCount === 0, 2_000);
  });

  it('rebuilds from the Kafka topics and swaps in an index that answers the same', async () => {
    const word = `theta${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 3; i++) {
      ok(
        await call('mutation($input: CreatePostInput!) { createPost(input: $input) { id } }', {
          input: { panelId, title: `Rebuild ${i}`, body: `${word} number ${i}`, tags: ['kafka'] },
        }),
      );
    }
    await waitFor('three posts', async () => (await search(word)).totalCount === 3, 10_000);
    const before = await search(word);
    const service = searchService();
    await service.indexer.rebuild();
    const status = await service.indexer.settled();
    expect(status).toMatchObject({ state: 'done', generation: 2, replaced: 1 });
    expect(await search(word)).toEqual(before);
  }, 120_000);
});
