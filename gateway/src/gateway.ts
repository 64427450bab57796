import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import depthLimit from 'graphql-depth-limit';
import type { Identify } from '@agora/kit/auth';
import { formatError } from '@agora/kit/format-error';
import { apolloHandler, sendJson } from '@agora/kit/http';
import { requestIdFrom } from '@agora/kit/ids';
import type { Infra } from '@agora/kit/infra';
import type { Logger } from '@agora/kit/log';
import { startHttpServer, type RunningHttpServer } from '@agora/kit/server';
import type { Viewer } from '@agora/kit/viewer';
import { forwardedFor, verifyCaller } from './auth';
import { keepAliveFetcher } from './fetcher';
import { withMediaProxy } from './media';
import { staticSite } from './static';
import {
  DEFAULT_SUBSCRIPTION_LIMITS,
  executeThrough,
  startSubscriptions,
  type SubscriptionLimits,
  type Subscriptions,
} from './subscriptions';
import { fileSupergraph } from './supergraph';
import type { ResponseCache } from './response-cache';
import { responseCacheFor, type ResponseCacheSettings } from './response-cache/settings';

export interface GatewayContext extends BaseContext {
  requestId: string;
  authorization?: string;
  /** The verified caller (null: anonymous). */
  viewer: Viewer | null;
  /** Sent to subgraphs as x-forwarded-for (see auth.ts). */
  forwardedFor: string;
}

export interface GatewayOptions {
  host: string;
  port: number;
  log: Logger;
  supergraphPath: string;
  /**
   * Subgraph URLs by name, overriding the routing URLs written in the supergraph: one URL,
   * or the URLs of the subgraph's replicas, which requests then take in turn.
   */
  subgraphUrls: Record<string, string | string[]>;
  maxBodyBytes: number;
  maxDepth: number;
  /** Folder of the built web app served at `/`; none serves nothing there. */
  webRoot?: string;
  /** Verifies access tokens (the auth service's JWKS); without it only the subgraphs check them. */
  identify?: Identify;
  /** Keep the caller's x-forwarded-for chain (behind a trusted proxy); default: replace it. */
  trustProxy?: boolean;
  /** The event ports subscriptions consume; without them (or without identify) there are no subscriptions. */
  infra?: Pick<Infra, 'events' | 'notices'>;
  /** Default: 100 pending payloads per subscriber, 20 subscriptions per connection, 12 s keep-alive. */
  subscriptionLimits?: SubscriptionLimits;
  /** The response cache (response-cache/): in process, or shared through Redis; none: off. */
  responseCache?: ResponseCacheSettings;
}

export interface RunningGateway extends RunningHttpServer {
  graphqlUrl: string;
  responseCache?: ResponseCache;
}

/** The Apollo Gateway host: the supergraph over HTTP at /graphql, the SPA at /. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { log } = options;
  const { fetcher, close: closeFetcher } = keepAliveFetcher();
  // Unless told otherwise, Apollo Gateway probes cloud metadata endpoints (169.254.169.254)
  // and reports usage to Apollo: traffic nobody asked for, and first requests stalled behind it.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph(options.supergraphPath, log),
    buildService: ({ name, url }) => {
      // SUBGRAPH_<NAME>_URL may list the subgraph's replicas: each request goes to the next one.
      const replicas = [options.subgraphUrls[name] ?? url ?? ''].flat();
      let turn = 0;
      return new RemoteGraphQLDataSource<GatewayContext>({
        url: replicas[0],
        fetcher: (_url, init) => fetcher(replicas[turn++ % replicas.length]!, init),
        willSendRequest: ({ request, context }) => {
          request.http?.headers.set('x-request-id', context.requestId);
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
          request.http?.headers.set('x-forwarded-for', context.forwardedFor);
        },
      });
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(log),
    validationRules: [depthLimit(options.maxDepth)],
  });
  const cache = responseCacheFor(options, gateway);
  const graphql: { handle?: ReturnType<typeof apolloHandler<GatewayContext>> } = {};
  let subscriptions: Subscriptions | undefined;
  const http = await startHttpServer({
    host: options.host,
    port: options.port,
    log,
    // Ready, and answering /graphql, once Apollo and the subscription consumers have started
    // (the port opens first): a request in between gets a 503, not a hang.
    ready: async () => graphql.handle !== undefined,
    routes: {
      '/graphql': (req, res) => {
        if (!graphql.handle) return sendJson(res, 503, { errors: [{ message: 'The gateway is starting' }] });
        return subscriptions?.handles(req) ? subscriptions.handleSse(req, res) : graphql.handle(req, res);
      },
    },
    fallback: withMediaProxy({
      subgraphUrls: Object.fromEntries(Object.entries(options.subgraphUrls).map(([n, urls]) => [n, [urls].flat()[0]!])),
      fetcher,
      next: options.webRoot ? staticSite(options.webRoot) : undefined,
    }),
  });
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: http.server }));
  if (options.infra && options.identify) {
    const started = startSubscriptions({
      ...(options.subscriptionLimits ?? DEFAULT_SUBSCRIPTION_LIMITS),
      server: http.server,
      path: '/graphql',
      log,
      infra: options.infra,
      identify: options.identify,
      execute: executeThrough(apollo),
      forwardedFor: (req) => forwardedFor(req, options.trustProxy ?? false),
      maxDepth: options.maxDepth,
      maxBodyBytes: options.maxBodyBytes,
    });
    gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) =>
      started.schemaChanged(apiSchema, coreSupergraphSdl),
    );
    subscriptions = started;
  }
  await apollo.start();
  await subscriptions?.ready();
  await cache?.ready;
  const handle = apolloHandler(apollo, {
    maxBodyBytes: options.maxBodyBytes,
    context: async (req) => ({
      requestId: requestIdFrom(req.headers['x-request-id']),
      authorization: req.headers.authorization,
      viewer: options.identify ? await verifyCaller(options.identify, req.headers.authorization) : null,
      forwardedFor: forwardedFor(req, options.trustProxy ?? false),
    }),
  });
  graphql.handle = cache ? cache.route(handle) : handle;
  log.info({ url: `${http.url}/graphql` }, 'gateway listening');
  return {
    ...http,
    graphqlUrl: `${http.url}/graphql`,
    responseCache: cache,
    close: async () => {
      await subscriptions?.close();
      await cache?.close();
      await apollo.stop();
      await http.close();
      await closeFetcher();
    },
  };
}
