import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { REPO_ROOT } from '@agora/kit/paths';
import { createLogger } from '@agora/kit/log';
import { gql } from '@agora/kit/testing';
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
});
