import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { REPO_ROOT } from '@agora/kit/paths';
import { createLogger } from '@agora/kit/log';
import { metrics } from '@agora/kit/metrics';
import { codes, gql, waitFor } from '@agora/kit/testing';
import { gatewayConfig } from '../src/config';
import { startGateway } from '../src/gateway';

describe('SUBGRAPH_<NAME>_URL', () => {
  it('takes one URL or a comma-separated list of replicas', () => {
    const { subgraphUrls } = gatewayConfig({
      SUBGRAPH_USERS_URL: 'http://users:4001/graphql',
      SUBGRAPH_FORUM_URL: 'http://forum-1:4003/graphql, http://forum-2:4003/graphql',
    });
    expect(subgraphUrls).toEqual({
      users: ['http://users:4001/graphql'],
      forum: ['http://forum-1:4003/graphql', 'http://forum-2:4003/graphql'],
    });
  });

  it.each(['http://forum:4003/graphql,forum-2:4003', 'ftp://forum/graphql', ' , '])(
    'refuses %j, naming the variable',
    (value) => {
      expect(() => gatewayConfig({ SUBGRAPH_FORUM_URL: value })).toThrow(
        /Invalid configuration:\n {2}SUBGRAPH_FORUM_URL: not a comma-separated list of http\(s\) URLs/,
      );
    },
  );
});

describe('gateway over subgraph replicas', () => {
  /** A stand-in forum replica that answers every query with no panels and counts the calls. */
  async function fakeForum() {
    const replica = { calls: 0, server: undefined as unknown as Server, url: '' };
    replica.server = createServer((req, res) => {
      replica.calls += 1;
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { panels: { edges: [] } } }));
      });
    });
    await new Promise<void>((done) => replica.server.listen(0, '127.0.0.1', done));
    replica.url = `http://127.0.0.1:${(replica.server.address() as AddressInfo).port}/graphql`;
    return replica;
  }

  it('sends requests to the replicas in turn', async () => {
    const replicas = [await fakeForum(), await fakeForum()];
    const gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      log: createLogger('gateway'),
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      subgraphUrls: { forum: replicas.map((r) => r.url) },
      maxBodyBytes: 1_000_000,
      maxDepth: 12,
    });
    try {
      for (let i = 0; i < 6; i++) {
        const response = await gql(gateway.graphqlUrl, '{ panels(first: 5) { edges { node { id } } } }');
        expect(response.data).toEqual({ panels: { edges: [] } });
      }
      expect(replicas.map((r) => r.calls)).toEqual([3, 3]);
    } finally {
      await gateway.close();
      for (const r of replicas) r.server.close();
    }
  });

  /**
   * A forum replica that can be switched off (its port closes: connections are refused) and
   * on again, and that can cut a mutation's connection after reading it (as a crash would).
   */
  async function switchableForum() {
    const replica = {
      queries: 0,
      mutations: 0,
      cutMutations: false,
      server: undefined as unknown as Server,
      port: 0,
      url: '',
      async stop() {
        replica.server.closeAllConnections();
        await new Promise((done) => replica.server.close(done));
      },
      async start() {
        replica.server = createServer((req, res) => {
          if (req.url === '/readyz') return void res.writeHead(200).end('{}');
          let body = '';
          req.on('data', (chunk: Buffer) => (body += chunk.toString()));
          req.on('end', () => {
            const mutation = /"query":"\s*mutation/.test(body);
            if (mutation) replica.mutations += 1;
            else replica.queries += 1;
            if (mutation && replica.cutMutations) return void req.socket.destroy();
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify(mutation ? { data: { createPanel: { id: 'p1' } } } : { data: { panels: { edges: [] } } }),
            );
          });
        });
        await new Promise<void>((done) => replica.server.listen(replica.port, '127.0.0.1', done));
        replica.port = (replica.server.address() as AddressInfo).port;
        replica.url = `http://127.0.0.1:${replica.port}/graphql`;
      },
    };
    await replica.start();
    return replica;
  }

  const startOver = (urls: string[], log = createLogger('gateway')) =>
    startGateway({
      host: '127.0.0.1',
      port: 0,
      log,
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      subgraphUrls: { forum: urls },
      maxBodyBytes: 1_000_000,
      maxDepth: 12,
    });
  const panels = '{ panels(first: 5) { edges { node { id } } } }';

  it('ejects a dead replica, serves every query from the other, and takes it back once its /readyz answers', async () => {
    const [a, b] = [await switchableForum(), await switchableForum()];
    const gateway = await startOver([a.url, b.url]);
    try {
      await b.stop();
      for (let i = 0; i < 10; i++) {
        const response = await gql(gateway.graphqlUrl, panels);
        expect(response.errors).toBeUndefined();
        expect(response.data).toEqual({ panels: { edges: [] } });
      }
      expect(a.queries).toBe(10);
      const ready = await fetch(gateway.url + '/readyz').then((r) => r.json() as Promise<{ checks: object }>);
      expect(ready.checks).toMatchObject({ 'subgraph forum': { status: 'up', required: false } });

      await b.start();
      // Probed every 500 ms: back in turn within a second or so.
      await waitFor(
        'the replica back in turn',
        async () => {
          await gql(gateway.graphqlUrl, panels);
          return b.queries > 0;
        },
        5_000,
      );
    } finally {
      await gateway.close();
      await a.stop();
      await b.stop().catch(() => undefined);
    }
  });

  it('never sends a mutation twice once it may have reached a replica, but retries one that was refused', async () => {
    const [a, b] = [await switchableForum(), await switchableForum()];
    // The gateway's log says which replica it tried and why it took it out of turn.
    const lines: { msg: string; replica?: string; reason?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const said = (msg: string, from = 0) => lines.slice(from).filter((l) => l.msg === msg);
    const retries = async () =>
      (await metrics.subgraphRetries.get()).values.find((v) => v.labels.subgraph === 'forum')?.value ?? 0;
    const gateway = await startOver([a.url, b.url], log);
    const create = 'mutation { createPanel(input: { name: "x" }) { id } }';
    try {
      a.cutMutations = true;
      b.cutMutations = true;
      const cut = await gql(gateway.graphqlUrl, create);
      // One replica read it and died mid-request: the other is not asked.
      expect(a.mutations + b.mutations).toBe(1);
      expect(codes(cut)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(cut.errors![0]!.message).toBe(
        'The forum service did not answer; the change may or may not have been made',
      );
      expect(cut.errors![0]!.path).toEqual(['createPanel']);
      expect(cut.errors![0]!.extensions).toMatchObject({ service: 'forum' });

      // A refused connection never reached anyone: the mutation goes to the other replica.
      a.cutMutations = false;
      b.cutMutations = false;
      a.mutations = 0;
      b.mutations = 0;
      // The replica cut above is probed back in turn: both take requests again.
      await waitFor(
        'every ejected replica back in turn',
        () => said('subgraph replica back in turn').length === said('subgraph replica ejected').length,
      );
      const from = lines.length;
      const retriesBefore = await retries();
      await b.stop();
      for (let i = 0; i < 4; i++) {
        const created = await gql(gateway.graphqlUrl, create);
        expect(created.errors).toBeUndefined();
      }
      // Taking turns, a mutation was sent to the stopped replica first: its connection was
      // refused, it was ejected, and that mutation was sent once more, to the other one.
      expect(said('subgraph replica ejected', from).map((l) => [l.replica, l.reason])).toEqual([
        [b.url, 'ECONNREFUSED'],
      ]);
      expect((await retries()) - retriesBefore).toBe(1);
      expect([a.mutations, b.mutations]).toEqual([4, 0]);
    } finally {
      await gateway.close();
      await a.stop();
      await b.stop().catch(() => undefined);
    }
  });

  it('answers SUBGRAPH_UNAVAILABLE, naming the service and the field, when no replica answers', async () => {
    const a = await switchableForum();
    const gateway = await startOver([a.url]);
    try {
      await a.stop();
      const response = await gql(gateway.graphqlUrl, panels);
      expect(response.errors).toEqual([
        {
          message: 'The forum service is unavailable; try again shortly',
          path: ['panels'],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'forum', serviceName: 'forum' },
        },
      ]);
      // Nothing internal (addresses, socket errors) reaches the client.
      expect(JSON.stringify(response)).not.toMatch(/127\.0\.0\.1|ECONN|fetch failed/);
    } finally {
      await gateway.close();
    }
  });
});
