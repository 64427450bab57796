import type { ServerResponse } from 'node:http';
import { metrics } from '@agora/kit/metrics';
import { waitFor } from '@agora/kit/testing';
import { InFlightReads, isQuery } from '../src/dedupe';
import { keepAliveFetcher, type SubgraphRequestInit } from '../src/fetcher';
import { localServer } from './local-server';

const QUERY = JSON.stringify({ query: 'query Panels__forum__0{panels{id title}}', variables: {} });
const MUTATION = JSON.stringify({ query: 'mutation M__forum__0($id:ID!){deletePost(id:$id)}', variables: { id: 1 } });

describe('in-flight deduplication of identical subgraph reads', () => {
  const pool = keepAliveFetcher();
  /** Requests the subgraph holds until the test answers them (`answer`), or drops (`cut`). */
  const held: { body: string; res: ServerResponse }[] = [];
  let subgraph: Awaited<ReturnType<typeof localServer>>;
  let version = 0;
  const answer = (which: (body: string) => boolean = () => true) => {
    for (const request of held.filter((h) => which(h.body))) {
      const { body, res } = request;
      held.splice(held.indexOf(request), 1);
      if (body.includes('slowWrite')) version += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { panels: [{ id: '1', title: `v${version}` }] } }));
    }
  };
  const cut = () => {
    for (const { res } of held.splice(0)) res.socket?.destroy();
  };
  beforeAll(async () => {
    subgraph = await localServer((_req, body, res) => {
      if (body.includes('mutation') && !body.includes('slowWrite')) {
        version += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { deletePost: true } }));
        return;
      }
      held.push({ body, res });
    });
  });
  afterAll(async () => {
    await pool.close();
    await subgraph.close();
  });

  let reads: InFlightReads;
  let fetch: ReturnType<InFlightReads['wrap']>;
  beforeEach(() => {
    subgraph.received.length = 0;
    reads = new InFlightReads();
    fetch = reads.wrap(pool.request);
  });
  afterEach(() => {
    answer();
    expect(reads.size).toBe(0);
  });

  const post = (body: string, headers: Record<string, string> = {}): SubgraphRequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.1', ...headers },
    body,
  });
  const arrived = (n: number) => waitFor(`${n} subgraph requests`, () => subgraph.received.length >= n);

  it('sends two concurrent identical queries once, and answers each caller its own copy', async () => {
    const sharedBefore = (await metrics.sharedReads.get()).values[0]?.value ?? 0;
    const first = fetch(`${subgraph.url}/graphql`, post(QUERY, { 'x-request-id': 'a', traceparent: '00-a-01' }));
    await arrived(1);
    const second = fetch(`${subgraph.url}/graphql`, post(QUERY, { 'x-request-id': 'b', traceparent: '00-b-01' }));
    answer();
    const [a, b] = await Promise.all([first, second]);
    expect(subgraph.received).toHaveLength(1);
    expect(reads.stats).toEqual({ sent: 1, shared: 1, writes: 0 });
    expect((await metrics.sharedReads.get()).values[0]?.value).toBe(sharedBefore + 1);
    const bodyA = (await a.json()) as { data: { panels: { title: string }[] } };
    bodyA.data.panels[0]!.title = 'changed by the first caller';
    expect(await b.json()).toEqual({ data: { panels: [{ id: '1', title: `v${version}` }] } });
    expect(b.headers.get('content-type')).toBe('application/json');
    expect(reads.size).toBe(0);
  });

  it.each([
    ['authorization', { authorization: 'Bearer one' }, { authorization: 'Bearer two' }],
    ['x-api-key', { 'x-api-key': 'k1' }, { 'x-api-key': 'k2' }],
    ['x-forwarded-for', { 'x-forwarded-for': '10.0.0.1' }, { 'x-forwarded-for': '10.0.0.2' }],
  ])('keeps callers whose %s differs apart', async (_name, one, two) => {
    const first = fetch(`${subgraph.url}/graphql`, post(QUERY, one));
    await arrived(1);
    const second = fetch(`${subgraph.url}/graphql`, post(QUERY, two));
    await arrived(2);
    answer();
    await Promise.all([first, second]);
    expect(subgraph.received.map((r) => r.headers[Object.keys(one)[0]!])).toEqual([
      Object.values(one)[0],
      Object.values(two)[0],
    ]);
  });

  it('never shares a mutation', async () => {
    await Promise.all([
      fetch(`${subgraph.url}/graphql`, post(MUTATION)),
      fetch(`${subgraph.url}/graphql`, post(MUTATION)),
    ]);
    expect(subgraph.received).toHaveLength(2);
    expect(reads.stats).toMatchObject({ sent: 0, shared: 0, writes: 2 });
  });

  it('does not let a read begun after a mutation join a fetch begun before it', async () => {
    const before = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(1);
    const written = version;
    await fetch(`${subgraph.url}/graphql`, post(MUTATION));
    const after = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(3);
    answer();
    const [old, fresh] = await Promise.all([before, after]);
    expect(subgraph.received.map((r) => (r.body.includes('mutation') ? 'write' : 'read'))).toEqual([
      'read',
      'write',
      'read',
    ]);
    expect(written).toBe(version - 1);
    expect(await fresh.json()).toEqual({ data: { panels: [{ id: '1', title: `v${version}` }] } });
    await old.text();
  });

  it('does not let a read begun after a mutation answered join a fetch begun while it was in flight', async () => {
    const slowWrite = JSON.stringify({ query: 'mutation W__forum__0{slowWrite}' });
    const write = fetch(`${subgraph.url}/graphql`, post(slowWrite));
    await arrived(1);
    const during = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(2);
    answer((body) => body.includes('slowWrite'));
    await (await write).text();
    const after = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(3);
    answer();
    await Promise.all([during, after]);
    expect(reads.stats).toMatchObject({ sent: 2, shared: 0, writes: 1 });
  });

  it('does not share across a bump (an invalidation event: a write made elsewhere)', async () => {
    const before = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(1);
    reads.bump();
    const after = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(2);
    // Reads of the new epoch share with each other again.
    const alongside = fetch(`${subgraph.url}/graphql`, post(QUERY));
    answer();
    await Promise.all([before, after, alongside]);
    expect(subgraph.received).toHaveLength(2);
    expect(reads.stats).toMatchObject({ sent: 2, shared: 1 });
  });

  it('fails each sharer of a failed fetch with an error of its own', async () => {
    const first = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(1);
    const second = fetch(`${subgraph.url}/graphql`, post(QUERY));
    cut();
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    const errorA = (a as PromiseRejectedResult).reason as Error;
    const errorB = (b as PromiseRejectedResult).reason as Error;
    expect(errorA).not.toBe(errorB);
    expect(Object.getPrototypeOf(errorB)).toBe(Object.getPrototypeOf(errorA));
    expect({ message: errorB.message, code: (errorB as { code?: string }).code }).toEqual({
      message: errorA.message,
      code: (errorA as { code?: string }).code,
    });
    expect(subgraph.received).toHaveLength(1);
    expect(reads.size).toBe(0);
  });

  it('keeps nothing once answered: the same query later is sent again', async () => {
    const first = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(1);
    answer();
    await (await first).text();
    expect(reads.size).toBe(0);
    const again = fetch(`${subgraph.url}/graphql`, post(QUERY));
    await arrived(2);
    answer();
    await (await again).text();
    expect(reads.stats).toMatchObject({ sent: 2, shared: 0 });
  });

  it('tells queries from anything else in the body Apollo Gateway sends', () => {
    expect(isQuery(QUERY)).toBe(true);
    expect(isQuery(JSON.stringify({ query: '{ panels { id } }' }))).toBe(true);
    expect(isQuery(MUTATION)).toBe(false);
    expect(isQuery(JSON.stringify({ query: 'subscription S{ postAdded { id } }' }))).toBe(false);
    expect(isQuery(JSON.stringify({ query: 'query A{ a } mutation B{ b }', operationName: 'B' }))).toBe(false);
    expect(isQuery(JSON.stringify({ variables: {}, query: 'query A{ a }' }))).toBe(false);
    expect(isQuery('not json')).toBe(false);
  });
});
