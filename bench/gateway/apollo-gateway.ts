/**
 * The baseline: vanilla `@apollo/gateway` on `@apollo/server`'s standalone server, default
 * configuration, over the supergraph in SUPERGRAPH_SDL_FILE (routing URLs already pointing at
 * the benchmark's subgraphs). One addition, needed for the mixed workload's writes: the
 * caller's Authorization header is forwarded to the subgraphs (Apollo Gateway forwards no
 * header by default).
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { failChild, serveChild } from './child';

interface Context {
  authorization?: string;
}

async function main() {
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(process.env.SUPERGRAPH_SDL_FILE!, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<Context>({
        url,
        willSendRequest: ({ request, context }) => {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  serveChild({ url });
}

main().catch(failChild);
