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
import { identifyOr401, type Identify } from './auth';
import type { Logger } from './log';
import type { Viewer } from './viewer';
import { formatError } from './format-error';
import { serviceChecks, type HealthCheck, type InfraPort } from './health';
import { graphqlMetricsPlugin } from './metrics';
import { clientOrigin } from './gateway-trust';
import {
  costModel,
  DEFAULT_OPERATION_LIMITS,
  limitRules,
  operationLimitsPlugin,
  type CallerClass,
  type OperationLimits,
} from './operation-limits';
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
  /**
   * The caller's network address: the gateway's `x-forwarded-for` when the gateway signed it
   * (see gateway-trust.ts), else the socket's peer, whatever the caller claims.
   */
  clientAddress?: string;
  /** Who calls, for the cost ceiling: the gateway (`internal`), else by the token. */
  callerClass: CallerClass;
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
  /** Verifies the caller's access token; a bad token fails the request with UNAUTHENTICATED (401). */
  identify: Identify;
  /** Operation limits (the gateway's); default DEFAULT_OPERATION_LIMITS. */
  limits?: OperationLimits;
  /** The secret the gateway signs forwarded client addresses with; none: never trusted. */
  gatewaySecret?: string;
  ready?: () => Promise<boolean>;
  /** Dependencies /readyz reports (see health.ts). */
  checks?: HealthCheck[];
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
 * host, port, limits and token check, and /readyz reporting `db` (required) and the infra
 * ports (optional unless listed in `requires`: analytics cannot serve without its documents).
 */
export function serveSubgraph<C extends RequestContext>(
  runtime: ServiceRuntime,
  options: Pick<SubgraphServerOptions<C>, 'name' | 'resolvers' | 'context' | 'routes' | 'fallback'> & {
    db?: DataSource;
    requires?: InfraPort[];
  },
): Promise<RunningSubgraph> {
  const { db, requires, ...rest } = options;
  return startSubgraphServer<C>({
    ...rest,
    host: runtime.host,
    port: runtime.port,
    log: runtime.log,
    maxBodyBytes: runtime.maxBodyBytes,
    identify: runtime.identify,
    limits: runtime.limits,
    gatewaySecret: runtime.gatewaySecret,
    typeDefs: loadSubgraphSchema(options.name),
    checks: serviceChecks(db, runtime.infra, requires),
  });
}

export async function startSubgraphServer<C extends RequestContext>(
  options: SubgraphServerOptions<C>,
): Promise<RunningSubgraph> {
  const log = options.log;
  const limits = options.limits ?? DEFAULT_OPERATION_LIMITS;
  const model = costModel(options.typeDefs);
  const apollo = new ApolloServer<C>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers as never }]),
    includeStacktraceInErrorResponses: false,
    formatError: formatError(log),
    // The kit's lifecycle stops the process gracefully (Apollo's own handler would re-raise the signal).
    stopOnTerminationSignals: false,
    // The gateway's limits, for whoever calls. Query plans add key fields and type conditions
    // to what the client wrote, so a subgraph parses up to twice the gateway's token budget.
    parseOptions: { maxTokens: limits.maxTokens * 2 },
    validationRules: limitRules(limits),
    plugins: [
      // No Apollo Studio here: traces would only cost time on every request. No cache-control
      // hints either (nothing reads them): its per-field hook wraps every resolver.
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      operationLimitsPlugin<C>({ limits, model: () => model, maxCost: (ctx) => limits.maxCost[ctx.callerClass] }),
    ],
  });
  const graphqlRoute: { handle?: Route } = {};
  const http = await startHttpServer({
    port: options.port,
    host: options.host,
    log,
    ready: options.ready,
    checks: options.checks,
    routes: { '/graphql': (req, res) => graphqlRoute.handle?.(req, res), ...options.routes },
    fallback: options.fallback,
  });
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: http.server }));
  apollo.addPlugin(graphqlMetricsPlugin(options.name, log));
  await apollo.start();
  graphqlRoute.handle = apolloHandler(apollo, {
    maxBodyBytes: options.maxBodyBytes,
    context: async (req) => {
      const requestId = requestIdFrom(req.headers['x-request-id']);
      const origin = clientOrigin(req, options.gatewaySecret);
      const viewer = await identifyOr401(options.identify, req.headers.authorization);
      const base: RequestContext = {
        requestId,
        log: log.child({ requestId }),
        loaders: new Loaders(),
        authorization: req.headers.authorization,
        viewer,
        clientAddress: origin.address,
        callerClass: origin.fromGateway ? 'internal' : viewer ? (viewer.apiKeyId ? 'apiKey' : 'user') : 'anonymous',
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
