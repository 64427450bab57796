import type { IncomingMessage } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { DocumentNode } from 'graphql';
import type { DataSource } from 'typeorm';
import { apolloHandler } from './http';
import { requestIdFrom } from './ids';
import { Loaders } from './loaders';
import type { Identify } from './auth';
import type { Logger } from './log';
import type { Viewer } from './viewer';
import { formatError } from './format-error';
import { loadSubgraphSchema } from './paths';
import type { ServiceRuntime } from './service';
import { startHttpServer, type RunningHttpServer, type Route } from './server';

/** What every subgraph resolver gets; a service extends it with its own stores. */
export interface RequestContext extends BaseContext {
  requestId: string;
  log: Logger;
  loaders: Loaders;
  /** The caller's Authorization header, as forwarded by the gateway. */
  authorization?: string;
  /** The verified signed-in caller, or null for anonymous requests. */
  viewer: Viewer | null;
  /** The caller's network address: the gateway's `x-forwarded-for`, else the socket's peer. */
  clientAddress?: string;
}

export interface SubgraphServerOptions<C extends RequestContext> {
  name: string;
  port: number;
  host: string;
  log: Logger;
  typeDefs: DocumentNode;
  /** Codegen-typed resolvers of the service (see __generated__/resolvers-types.ts). */
  resolvers: object;
  /** Adds the service's own fields to the base request context. */
  context: (base: RequestContext, req: IncomingMessage) => C | Promise<C>;
  maxBodyBytes: number;
  /** Verifies the caller's access token; a bad token fails the request with UNAUTHENTICATED. */
  identify: Identify;
  ready?: () => Promise<boolean>;
  /** Extra HTTP routes the service owns (e.g. image bytes). */
  routes?: Record<string, Route>;
  fallback?: Route;
}

export interface RunningSubgraph extends RunningHttpServer {
  name: string;
  graphqlUrl: string;
}

/**
 * A service's subgraph server from its runtime: SDL from schema/<name>.graphql, the runtime's
 * host, port, limits and token check, and /readyz answering whether `db` answers.
 */
export function serveSubgraph<C extends RequestContext>(
  runtime: ServiceRuntime,
  options: Pick<SubgraphServerOptions<C>, 'name' | 'resolvers' | 'context' | 'routes' | 'fallback'> & {
    db: DataSource;
  },
): Promise<RunningSubgraph> {
  const { db, ...rest } = options;
  return startSubgraphServer<C>({
    ...rest,
    host: runtime.host,
    port: runtime.port,
    log: runtime.log,
    maxBodyBytes: runtime.maxBodyBytes,
    identify: runtime.identify,
    typeDefs: loadSubgraphSchema(options.name),
    ready: () => db.query('SELECT 1').then(() => true),
  });
}

export async function startSubgraphServer<C extends RequestContext>(
  options: SubgraphServerOptions<C>,
): Promise<RunningSubgraph> {
  const log = options.log;
  const apollo = new ApolloServer<C>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers as never }]),
    includeStacktraceInErrorResponses: false,
    formatError: formatError(log),
    // No Apollo Studio here: traces would only cost time on every request. No cache-control
    // hints either (nothing reads them): its per-field hook wraps every resolver.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()],
  });
  const graphqlRoute: { handle?: Route } = {};
  const http = await startHttpServer({
    port: options.port,
    host: options.host,
    log,
    ready: options.ready,
    routes: { '/graphql': (req, res) => graphqlRoute.handle?.(req, res), ...options.routes },
    fallback: options.fallback,
  });
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: http.server }));
  await apollo.start();
  graphqlRoute.handle = apolloHandler(apollo, {
    maxBodyBytes: options.maxBodyBytes,
    context: async (req) => {
      const requestId = requestIdFrom(req.headers['x-request-id']);
      const base: RequestContext = {
        requestId,
        log: log.child({ requestId }),
        loaders: new Loaders(),
        authorization: req.headers.authorization,
        viewer: await options.identify(req.headers.authorization),
        clientAddress: clientAddressOf(req),
      };
      // One line per request at debug level: shows which replica served what.
      base.log.debug('graphql request');
      return options.context(base, req);
    },
  });
  log.info({ url: `${http.url}/graphql` }, `${options.name} subgraph listening`);
  return {
    ...http,
    name: options.name,
    graphqlUrl: `${http.url}/graphql`,
    close: async () => {
      await apollo.stop();
      await http.close();
    },
  };
}

/**
 * The left-most `x-forwarded-for` entry: the gateway sets that header to its caller's
 * address (subgraphs are reached only through it), so it names the original client.
 */
function clientAddressOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-forwarded-for'];
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress;
}
