/**
 * The second baseline: Hive Gateway's runtime (`@graphql-hive/gateway-runtime`, what the
 * `@graphql-hive/gateway` CLI serves) with its default configuration, on Node's http server,
 * over the supergraph in SUPERGRAPH_SDL_FILE. As for Apollo, the caller's Authorization is
 * propagated to the subgraphs (Hive propagates no header by default).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failChild, serveChild } from './child';

/** Its types are loaded only at run time: they declare globals (fetch, Headers) that clash with Node 20's. */
const HIVE = '@graphql-hive/gateway-runtime';

interface HiveRuntime {
  createGatewayRuntime(config: {
    supergraph: string;
    propagateHeaders: {
      fromClientToSubgraphs(payload: {
        request: { headers: { get(name: string): string | null } };
      }): Record<string, string>;
    };
  }): Parameters<typeof createServer>[0];
}

async function main() {
  const { createGatewayRuntime } = (await import(HIVE)) as HiveRuntime;
  const runtime = createGatewayRuntime({
    supergraph: readFileSync(process.env.SUPERGRAPH_SDL_FILE!, 'utf8'),
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => {
        const authorization = request.headers.get('authorization');
        return authorization ? { authorization } : ({} as Record<string, string>);
      },
    },
  });
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveChild({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
}

main().catch(failChild);
