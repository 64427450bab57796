import { mkdtempSync, readFileSync } from 'node:fs';
import { Kind, parse, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';
import { SUBGRAPHS } from '@agora/contracts/subgraphs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayConfig } from '@agora/gateway/config';
import { startGateway } from '@agora/gateway/gateway';
import { createLogger } from '@agora/kit/log';
import { REPO_ROOT } from '@agora/kit/paths';
import type { EventEnvelope } from '@agora/kit/events/port';
import { waitFor, codes, gql, STACK_START_TIMEOUT_MS } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';

/** The embedded stack on free ports, driven through the gateway like any HTTP client. */
describe('embedded stack through the gateway', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agora-e2e-'));
  let stack: EmbeddedStack;
  let url: string;
  const start = async () => {
    stack = await startEmbeddedStack({ dataDir, gatewayPort: 0, subgraphPort: () => 0 });
    url = stack.gateway.graphqlUrl;
  };
  const panelCount = async () => {
    const res = await gql<{ panels: { edges: unknown[] } }>(url, '{ panels(first: 100) { edges { cursor } } }');
    return res.data!.panels.edges.length;
  };
  /** Panels are created by a signed-in user. */
  let authorization: string;
  const create = (name: string, description?: string) =>
    gql<{ createPanel: { id: string; slug: string; name: string; description: string; createdAt: string } }>(
      url,
      'mutation($input: CreatePanelInput!) { createPanel(input: $input) { id slug name description createdAt } }',
      { input: { name, description } },
      { authorization },
    );

  beforeAll(async () => {
    await start();
    const registered = await gql<{ register: { accessToken: string } }>(
      url,
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
      { input: { email: 'panels@example.com', password: 'Correct-horse-battery-9', handle: 'panel_maker' } },
    );
    authorization = `Bearer ${registered.data!.register.accessToken}`;
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => stack?.close());

  it('runs every registered subgraph, and the gateway serves the Query fields of each', async () => {
    expect(stack.services.map((s) => s.name).sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
    const served = await gql<{ __schema: { queryType: { fields: { name: string }[] } } }>(
      url,
      '{ __schema { queryType { fields { name } } } }',
    );
    const gatewayFields = served.data!.__schema.queryType.fields.map((f) => f.name);
    for (const { name } of SUBGRAPHS) {
      const sdl = readFileSync(resolve(REPO_ROOT, `schema/${name}.graphql`), 'utf8');
      const query = parse(sdl).definitions.find(
        (d): d is ObjectTypeDefinitionNode | ObjectTypeExtensionNode =>
          (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === 'Query',
      );
      const own = (query?.fields ?? []).map((f) => f.name.value).filter((f) => !f.startsWith('_'));
      expect({ name, missing: own.filter((f) => !gatewayFields.includes(f)) }).toEqual({ name, missing: [] });
    }
  });

  it('creates a panel and lists it, newest first, with cursor pagination', async () => {
    const first = await create('General Chat', 'Anything goes');
    expect(first.errors).toBeUndefined();
    expect(first.data!.createPanel).toMatchObject({
      slug: 'general-chat',
      name: 'General Chat',
      description: 'Anything goes',
    });
    expect(Date.parse(first.data!.createPanel.createdAt)).not.toBeNaN();
    await create('Photography');
    await create('Rust & Go');

    const page1 = await gql<{
      panels: {
        edges: { cursor: string; node: { name: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(url, '{ panels(first: 2) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }');
    expect(page1.data!.panels.edges.map((e) => e.node.name)).toEqual(['Rust & Go', 'Photography']);
    expect(page1.data!.panels.pageInfo.hasNextPage).toBe(true);
    const page2 = await gql<{ panels: { edges: { node: { name: string } }[]; pageInfo: { hasNextPage: boolean } } }>(
      url,
      'query($after: String) { panels(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }',
      { after: page1.data!.panels.pageInfo.endCursor },
    );
    expect(page2.data!.panels.edges.map((e) => e.node.name)).toEqual(['General Chat']);
    expect(page2.data!.panels.pageInfo.hasNextPage).toBe(false);
  });

  it('publishes exactly one panel.created event per panel, with the envelope of DESIGN.md', async () => {
    const seen: EventEnvelope[] = [];
    const consumer = await stack.infra.events.subscribe({
      group: `test-${Date.now()}`,
      topics: ['forum.panels'],
      handle: async (event) => void seen.push(event),
    });
    const { data } = await create('Event Horizon');
    // A control panel after it: once its event is in, a duplicate of the first would be too.
    const control = (await create('Event Control')).data!.createPanel.id;
    await waitFor('the control event', () => seen.some((e) => e.subject === control));
    await consumer.stop();
    expect(seen.map((e) => e.subject)).toEqual([data!.createPanel.id, control]);
    expect(seen[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'panel.created',
      version: '1.0',
      occurredAt: expect.any(String),
      source: 'forum',
      subject: data!.createPanel.id,
      actorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      data: expect.objectContaining({ id: data!.createPanel.id, slug: 'event-horizon', name: 'Event Horizon' }),
    });
  });

  it('finds a panel by id and by slug, and answers null for an unknown one', async () => {
    const { data } = await create('Board Games');
    const { id } = data!.createPanel;
    const byId = await gql<{ panel: { slug: string } }>(url, 'query($id: ID) { panel(id: $id) { slug } }', { id });
    expect(byId.data!.panel.slug).toBe('board-games');
    const bySlug = await gql<{ panel: { id: string } }>(url, '{ panel(slug: "Board-Games") { id } }');
    expect(bySlug.data!.panel.id).toBe(id);
    const unknown = await gql(url, '{ a: panel(slug: "nope") { id } b: panel(id: "not-a-uuid") { id } }');
    expect(unknown.data).toEqual({ a: null, b: null });
    expect(codes(await gql(url, '{ panel { id } }'))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses bad input with a code and writes nothing', async () => {
    const before = await panelCount();
    const anonymous = await gql(url, 'mutation { createPanel(input: { name: "Anonymous" }) { id } }');
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(codes(await create(''))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await create('ab'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await create('x'.repeat(81)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await create('general   CHAT'))).toEqual(['CONFLICT']);
    expect(codes(await gql(url, '{ panels(first: 101) { edges { cursor } } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, '{ panels(after: "forged") { edges { cursor } } }'))).toEqual(['BAD_USER_INPUT']);
    expect(await panelCount()).toBe(before);
  });

  it('answers malformed and invalid operations with GraphQL error codes', async () => {
    const parse = await gql(url, '{ panels(first: ');
    expect(parse.status).toBe(400);
    expect(codes(parse)).toEqual(['GRAPHQL_PARSE_FAILED']);
    const invalid = await gql(url, '{ panels { nope } }');
    expect(codes(invalid)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const missingInput = await gql(url, 'mutation { createPanel { id } }');
    expect(codes(missingInput)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('limits query depth', async () => {
    // A gateway with a tight depth limit in front of the same subgraphs.
    const strict = await startGateway({
      host: '127.0.0.1',
      port: 0,
      log: createLogger('gateway-test'),
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      subgraphUrls: Object.fromEntries(stack.services.map((s) => [s.name, s.graphqlUrl])),
      maxBodyBytes: 1024,
      maxDepth: 3,
    });
    try {
      expect((await gql(strict.graphqlUrl, '{ panels { edges { cursor } } }')).errors).toBeUndefined(); // depth 3
      const deep = await gql(strict.graphqlUrl, '{ panels { edges { node { id } } } }');
      expect(deep.errors?.[0]?.message).toMatch(/Query depth limit of 3 exceeded, found 4/);
      expect(codes(deep)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    } finally {
      await strict.close();
    }
  });

  it('refuses a body over the limit with 413 before reading it all', async () => {
    /** Sends `sent` bytes of a body that never ends, and reads the answer that comes anyway. */
    const unfinishedPost = (headers: Record<string, string>, sent: number) =>
      new Promise<{ status: number; codes: unknown[] }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: stack.gateway.port, path: '/graphql', method: 'POST', headers },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => {
              req.destroy();
              resolve({ status: res.statusCode!, codes: codes(JSON.parse(text) as never) });
            });
          },
        );
        req.on('error', reject);
        req.write(`{"query":"{ __typename } #${'x'.repeat(sent)}`);
      });
    const limit = gatewayConfig().MAX_BODY_BYTES;
    const json = { 'content-type': 'application/json' };
    // Declared too large: refused on the headers, after 1 KiB of the body.
    expect(await unfinishedPost({ ...json, 'content-length': String(limit + 1) }, 1024)).toEqual({
      status: 413,
      codes: ['PAYLOAD_TOO_LARGE'],
    });
    // Not declared (chunked): refused as soon as what arrived passes the limit, end or no end.
    expect(await unfinishedPost({ ...json, 'transfer-encoding': 'chunked' }, limit + 64 * 1024)).toEqual({
      status: 413,
      codes: ['PAYLOAD_TOO_LARGE'],
    });
  });

  it("passes the caller's x-request-id (or one of its own) to every subgraph a request reaches", async () => {
    /** Stands in front of a subgraph, noting the x-request-id of each request it forwards. */
    const recorder = async (target: string) => {
      const ids: string[] = [];
      const server = createServer((req, res) => {
        ids.push(String(req.headers['x-request-id']));
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (req.headers.authorization) headers.authorization = req.headers.authorization;
          void fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks) }).then(async (answer) => {
            res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
          });
        });
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      return { ids, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
    };
    expect((await create('Traced requests')).errors).toBeUndefined();
    const urlOf = (name: string) => stack.services.find((s) => s.name === name)!.graphqlUrl;
    const [forum, users] = [await recorder(urlOf('forum')), await recorder(urlOf('users'))];
    const traced = await startGateway({
      host: '127.0.0.1',
      port: 0,
      log: createLogger('gateway-test'),
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      subgraphUrls: {
        ...Object.fromEntries(stack.services.map((s) => [s.name, s.graphqlUrl])),
        forum: forum.url,
        users: users.url,
      },
      maxBodyBytes: 1_000_000,
      maxDepth: 12,
    });
    // Panels from forum, their creators from users: one request, two subgraphs.
    const query = '{ panels(first: 2) { edges { node { name createdBy { handle } } } } }';
    const send = async (requestId?: string) => {
      const [f, u] = [forum.ids.length, users.ids.length];
      const res = await gql(traced.graphqlUrl, query, undefined, requestId ? { 'x-request-id': requestId } : {});
      expect(res.errors).toBeUndefined();
      return { forum: forum.ids.slice(f), users: users.ids.slice(u) };
    };
    try {
      expect(await send('req-42.abc:def')).toEqual({ forum: ['req-42.abc:def'], users: ['req-42.abc:def'] });
      // Malformed (a space, or too long) or absent: the gateway makes one id for the whole request.
      for (const given of ['not ok', 'x'.repeat(129), undefined]) {
        const seen = await send(given);
        expect(seen.forum).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
        expect(seen.users).toEqual(seen.forum);
      }
      expect(new Set([...forum.ids.slice(1), ...users.ids.slice(1)]).size).toBe(3);
    } finally {
      await traced.close();
      forum.server.close();
      users.server.close();
    }
  });

  it('serves health checks', async () => {
    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
    for (const service of stack.services) expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });

  it(
    'keeps data across a restart',
    async () => {
      const before = await panelCount();
      await stack.close();
      await start();
      expect(await panelCount()).toBe(before);
      const again = await gql<{ panel: { name: string } }>(url, '{ panel(slug: "general-chat") { name } }');
      expect(again.data!.panel.name).toBe('General Chat');
    },
    STACK_START_TIMEOUT_MS,
  );
});
