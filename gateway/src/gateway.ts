import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import depthLimit from 'graphql-depth-limit';
import { formatError } from '@agora/kit/format-error';
import { apolloHandler } from '@agora/kit/http';
import { requestIdFrom } from '@agora/kit/ids';
import type { Logger } from '@agora/kit/log';
import { startHttpServer, type RunningHttpServer } from '@agora/kit/server';
import { keepAliveFetcher } from './fetcher';
import { staticSite } from './static';
import { fileSupergraph } from './supergraph';

export interface GatewayContext extends BaseContext {
  requestId: string;
  authorization?: string;
}

export interface GatewayOptions {
  host: string;
  port: number;
  log: Logger;
  supergraphPath: string;
  /** Subgraph URLs by name, overriding the routing URLs written in the supergraph. */
  subgraphUrls: Record<string, string>;
  maxBodyBytes: number;
  maxDepth: number;
  /** Folder of the built web app served at `/`; none serves nothing there. */
  webRoot?: string;
}

export interface RunningGateway extends RunningHttpServer {
  graphqlUrl: string;
}

/** The Apollo Gateway host: the supergraph over HTTP at /graphql, the SPA at /. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { log } = options;
  const { fetcher, close: closeFetcher } = keepAliveFetcher();
  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph(options.supergraphPath, log),
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: options.subgraphUrls[name] ?? url,
        fetcher,
        willSendRequest: ({ request, context }) => {
          request.http?.headers.set('x-request-id', context.requestId);
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(log),
    validationRules: [depthLimit(options.maxDepth)],
  });
  const graphql: { handle?: ReturnType<typeof apolloHandler<GatewayContext>> } = {};
  const http = await startHttpServer({
    host: options.host,
    port: options.port,
    log,
    routes: { '/graphql': (req, res) => graphql.handle?.(req, res) },
    fallback: options.webRoot ? staticSite(options.webRoot) : undefined,
  });
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: http.server }));
  await apollo.start();
  graphql.handle = apolloHandler(apollo, {
    maxBodyBytes: options.maxBodyBytes,
    context: async (req) => ({
      requestId: requestIdFrom(req.headers['x-request-id']),
      authorization: req.headers.authorization,
    }),
  });
  log.info({ url: `${http.url}/graphql` }, 'gateway listening');
  return {
    ...http,
    graphqlUrl: `${http.url}/graphql`,
    close: async () => {
      await apollo.stop();
      await http.close();
      await closeFetcher();
    },
  };
}
