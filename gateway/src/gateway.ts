import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type { Identify } from '@agora/kit/auth';
import { MemoryCache } from '@agora/kit/cache/memory';
import type { Cache } from '@agora/kit/cache/port';
import { formatError } from '@agora/kit/format-error';
import { infraChecks } from '@agora/kit/health';
import { graphqlMetricsPlugin } from '@agora/kit/metrics';
import { GATEWAY_SIGNATURE_HEADER, gatewaySignature } from '@agora/kit/gateway-trust';
import { apolloHandler, sendJson } from '@agora/kit/http';
import { requestIdFrom } from '@agora/kit/ids';
import type { Infra } from '@agora/kit/infra';
import type { Logger } from '@agora/kit/log';
import {
  costModel,
  DEFAULT_OPERATION_LIMITS,
  limitRules,
  operationLimitsPlugin,
  type CallerClass,
  type CostModel,
  type OperationLimits,
} from '@agora/kit/operation-limits';
import { rateLimitedError, rateLimitHeaders, tightest, type RateLimitState } from '@agora/kit/rate-limit';
import { startHttpServer, type RunningHttpServer } from '@agora/kit/server';
import type { Viewer } from '@agora/kit/viewer';
import { remoteApiKeyVerifier, type ApiKeyVerifier } from './api-keys';
import { clientAddress, forwardedFor } from './auth';
import { authenticator, credentialsOf, type Authenticate, type Caller } from './callers';
import { explorer } from './explorer';
import { InFlightReads } from './dedupe';
import { keepAliveFetcher } from './fetcher';
import { withMediaProxy } from './media';
import { ReplicaSet, replicaChecks, SubgraphClient } from './replicas';
import { loadManifests, persistedQueryCache, trustedDocumentsPlugin, type PersistedDocuments } from './persisted';
import { DEFAULT_RATE_LIMITS, GatewayRateLimits, type RateLimitConfig } from './rate-limits';
import { staticSite } from './static';
import {
  DEFAULT_SUBSCRIPTION_LIMITS,
  executeThrough,
  startSubscriptions,
  type SubscriptionLimits,
  type Subscriptions,
} from './subscriptions';
import { DEFAULT_CONNECTION_CAPS, type ConnectionCapLimits } from './subscriptions/caps';
import { fileSupergraph } from './supergraph';
import { UsageLog, type UsageLogOptions } from './usage-log';
import type { ResponseCache } from './response-cache';
import { responseCacheFor, type ResponseCacheSettings } from './response-cache/settings';

export interface GatewayContext extends BaseContext {
  requestId: string;
  /** What the subgraphs get as Authorization (the caller's token, or one minted for its API key). */
  authorization?: string;
  /** The verified caller (null: anonymous). */
  viewer: Viewer | null;
  /** Sent to subgraphs as x-forwarded-for (see auth.ts), signed for them with the gateway secret. */
  forwardedFor: string;
  /** The caller's class (cost ceiling); `internal` for the gateway's own requests (subscription payloads). */
  callerClass: CallerClass;
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
  /** Operation limits (default DEFAULT_OPERATION_LIMITS). */
  limits?: OperationLimits;
  /** Overrides `limits.maxDepth`. */
  maxDepth?: number;
  /** Folder of the built web app served at `/`; none serves nothing there. */
  webRoot?: string;
  /** Folder of the built API explorer (GraphiQL) served to browsers at /graphql; none: no explorer. */
  explorerRoot?: string;
  /** Verifies access tokens (the auth service's JWKS); without it only the subgraphs check them. */
  identify?: Identify;
  /** Keep the caller's x-forwarded-for chain (behind a trusted proxy); default: replace it. */
  trustProxy?: boolean;
  /** The event ports subscriptions consume; without them (or without identify) there are no subscriptions. */
  infra?: Pick<Infra, 'events' | 'notices'>;
  /** Default: 100 pending payloads per subscriber, 20 subscriptions per connection, 12 s keep-alive. */
  subscriptionLimits?: SubscriptionLimits;
  /** WebSockets, SSE streams and reservations per client address and per API key (default 20 / 50). */
  connectionCaps?: ConnectionCapLimits;
  /** Where rate limits are counted (Redis: shared by the replicas) and APQ registrations kept (Redis only). */
  cache?: Cache;
  /** Requests per window by caller kind (default DEFAULT_RATE_LIMITS); false: none. */
  rateLimits?: RateLimitConfig | false;
  /** Shared with the subgraphs: signs the forwarded client address, and the API-key checks. */
  gatewaySecret?: string;
  /** Checks API keys; default: the auth service at `apiKeyCheckUrl`, when a gateway secret is set. */
  apiKeys?: ApiKeyVerifier;
  apiKeyCheckUrl?: string;
  /** Registered documents (codegen manifests) and trusted-documents mode. */
  persistedDocuments?: { manifests: string[]; trusted: boolean };
  /** The response cache (response-cache/): in process, or shared through Redis; none: off. */
  responseCache?: ResponseCacheSettings;
  /** API-call records (to `infra.events`): buffer, batch and flush interval; see usage-log.ts. */
  usageLog?: Omit<UsageLogOptions, 'events' | 'log'>;
}

export interface RunningGateway extends RunningHttpServer {
  graphqlUrl: string;
  responseCache?: ResponseCache;
  /** The API-call log (its stats: published, dropped, buffered). */
  usage: UsageLog;
  /** Subgraph reads shared while in flight (stats: sent, shared, writes). */
  reads: InFlightReads;
}

/**
 * The Apollo Gateway host: the supergraph over HTTP, WebSocket and SSE at /graphql, the API
 * explorer for browsers at /graphql, the SPA at /. Before any subgraph is called, on every
 * transport: credentials (access token or API key), rate limits, trusted documents, then
 * the operation limits (tokens, depth, aliases, root fields, directives, cost).
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { log } = options;
  const limits: OperationLimits = {
    ...(options.limits ?? DEFAULT_OPERATION_LIMITS),
    ...(options.maxDepth !== undefined && { maxDepth: options.maxDepth }),
  };
  const trustProxy = options.trustProxy ?? false;
  const cache = options.cache ?? new MemoryCache();
  const { request: subgraphRequest, streamingFetcher, close: closeFetcher } = keepAliveFetcher();
  // Identical concurrent subgraph reads share one request (never across a write: dedupe.ts).
  const reads = new InFlightReads();
  const fetcher = reads.wrap(subgraphRequest) as unknown as typeof fetch;
  const usage = new UsageLog({ events: options.infra?.events, log, ...options.usageLog });
  // Unless told otherwise, Apollo Gateway probes cloud metadata endpoints (169.254.169.254)
  // and reports usage to Apollo: traffic nobody asked for, and first requests stalled behind it.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const secret = options.gatewaySecret;
  const replicaSets = new Map<string, ReplicaSet>();
  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph(options.supergraphPath, log),
    buildService: ({ name, url }) => {
      // SUBGRAPH_<NAME>_URL may list the subgraph's replicas: requests take the healthy ones in turn.
      const timed: typeof fetcher = (to, init) => usage.timeSubgraph(name, () => fetcher(to, init));
      const replicas = new ReplicaSet(name, [options.subgraphUrls[name] ?? url ?? ''].flat(), timed, log);
      replicaSets.get(name)?.close();
      replicaSets.set(name, replicas);
      return new SubgraphClient<GatewayContext>(replicas, log, {
        adapt: errorsAsGraphQL,
        willSendRequest: ({ request, context }) => {
          request.http?.headers.set('x-request-id', context.requestId);
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
          request.http?.headers.set('x-forwarded-for', context.forwardedFor);
          if (secret)
            request.http?.headers.set(GATEWAY_SIGNATURE_HEADER, gatewaySignature(secret, context.forwardedFor));
        },
      });
    },
  });

  const costs: { model?: CostModel } = {};
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    costs.model = costModel(coreSupergraphSdl);
  });
  const persisted: PersistedDocuments = {
    documents: loadManifests(options.persistedDocuments?.manifests ?? [], log),
    trusted: options.persistedDocuments?.trusted ?? false,
  };
  const shared = (cache as { redisClient?: unknown }).redisClient ? cache : undefined;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(log),
    // The kit's lifecycle stops the process gracefully (Apollo's own handler would re-raise the signal).
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitRules(limits),
    persistedQueries: {
      cache: persistedQueryCache(persisted, shared, new InMemoryLRUCache<string>()),
      ttl: 24 * 3600,
    },
    plugins: [
      // Browsers get our own explorer (no CDN, no telemetry) instead of Apollo's landing page.
      ApolloServerPluginLandingPageDisabled(),
      trustedDocumentsPlugin(persisted),
      operationLimitsPlugin<GatewayContext>({
        limits,
        model: () => costs.model,
        maxCost: (ctx) => (ctx.callerClass === 'internal' ? undefined : limits.maxCost[ctx.callerClass]),
      }),
      rateLimitedStatus,
      usage.plugin(),
    ],
  });

  const apiKeys =
    options.apiKeys ??
    (secret && options.apiKeyCheckUrl ? remoteApiKeyVerifier({ url: options.apiKeyCheckUrl, secret }) : undefined);
  const rateLimits =
    options.rateLimits === false
      ? undefined
      : new GatewayRateLimits(cache, options.rateLimits ?? DEFAULT_RATE_LIMITS, log);
  const verify = options.identify ? authenticator({ identify: options.identify, apiKeys }) : undefined;
  /** Every transport's authentication: failures count against the address, which past them is refused. */
  const authenticate: Authenticate | undefined =
    verify &&
    (async (credentials, from) => {
      if (rateLimits && credentials.apiKey !== undefined) {
        // An address that keeps failing may not have more keys checked (key guessing).
        const state = await rateLimits.mayAuthenticate(from.address);
        if (!state.allowed) throw rateLimitedError(state, 'Too many failed authentications from this address');
      }
      try {
        return await verify(credentials, from);
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
          await rateLimits?.failedAuthentication(from.address);
        }
        throw error;
      }
    });
  const explorerSite = options.explorerRoot ? explorer(options.explorerRoot) : undefined;
  const callers = new WeakMap<IncomingMessage, Caller>();

  const responseCache = responseCacheFor(options, gateway, (hash) => persisted.documents.get(hash));
  if (responseCache) {
    responseCache.onAnsweredHere = (request) => usage.describe(request);
    // Its invalidation events announce writes made anywhere: reads begun after one share no earlier fetch.
    responseCache.onInvalidate = () => reads.bump();
  }
  const graphql: { handle?: ReturnType<typeof apolloHandler<GatewayContext>> } = {};
  let subscriptions: Subscriptions | undefined;
  const origin = (req: IncomingMessage) => ({
    forwardedFor: forwardedFor(req, trustProxy),
    address: clientAddress(req, trustProxy),
  });

  /** GraphQL over HTTP: who calls, their rate limits, then Apollo (trusted documents, limits, plan). */
  const serveHttp = async (
    req: IncomingMessage,
    res: ServerResponse,
    handle: NonNullable<typeof graphql.handle>,
    body?: string,
  ) => {
    const from = origin(req);
    const credentials = credentialsOf(req.headers);
    let caller: Caller;
    if (!authenticate) {
      caller = { ...from, viewer: null, authorization: credentials.authorization, callerClass: 'anonymous' };
    } else {
      try {
        caller = await authenticate(credentials, from);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        return sendGraphQLError(res, error);
      }
    }
    const states = rateLimits ? await rateLimits.admit(caller) : [];
    if (states.some((state) => !state.allowed)) return sendRateLimited(res, states);
    for (const [name, value] of Object.entries(rateLimitHeaders(states))) res.setHeader(name, value);
    callers.set(req, caller);
    usage.caller(caller);
    return handle(req, res, body);
  };

  const http = await startHttpServer({
    host: options.host,
    port: options.port,
    log,
    // Ready, and answering /graphql, once Apollo and the subscription consumers have started
    // (the port opens first): a request in between gets a 503, not a hang.
    ready: async () => graphql.handle !== undefined,
    checks: () => [...replicaChecks(replicaSets), ...infraChecks(options.infra ?? {})],
    routes: {
      '/graphql': async (req, res) => {
        if (explorerSite?.wants(req)) return explorerSite.page(req, res);
        if (!graphql.handle) return sendJson(res, 503, { errors: [{ message: 'The gateway is starting' }] });
        const route = subscriptions ? await subscriptions.route(req) : { sse: false };
        if (route.sse) return subscriptions!.handleSse(req, res, route.body);
        const handle = graphql.handle;
        return usage.http(req, res, () => serveHttp(req, res, handle, route.body));
      },
    },
    fallback: withExplorerAssets(
      explorerSite,
      withMediaProxy({
        subgraphUrls: Object.fromEntries(
          Object.entries(options.subgraphUrls).map(([n, urls]) => [n, [urls].flat()[0]!]),
        ),
        fetcher: streamingFetcher,
        next: options.webRoot ? staticSite(options.webRoot) : undefined,
      }),
    ),
  });
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: http.server }));
  apollo.addPlugin(graphqlMetricsPlugin('gateway', log));
  if (options.infra && authenticate) {
    const started = startSubscriptions({
      ...(options.subscriptionLimits ?? DEFAULT_SUBSCRIPTION_LIMITS),
      server: http.server,
      path: '/graphql',
      log,
      infra: options.infra,
      authenticate,
      execute: executeThrough(apollo),
      forwardedFor: (req) => forwardedFor(req, trustProxy),
      clientAddress: (req) => clientAddress(req, trustProxy),
      limits,
      maxBodyBytes: options.maxBodyBytes,
      admit: rateLimits && ((caller) => rateLimits.admit(caller)),
      persisted,
      connectionCaps: options.connectionCaps ?? DEFAULT_CONNECTION_CAPS,
      usage,
    });
    gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) =>
      started.schemaChanged(apiSchema, coreSupergraphSdl),
    );
    subscriptions = started;
  }
  await apollo.start();
  await subscriptions?.ready();
  await responseCache?.ready;
  const handle = apolloHandler(apollo, {
    maxBodyBytes: options.maxBodyBytes,
    context: async (req) => {
      const caller = callers.get(req)!;
      return {
        requestId: requestIdFrom(req.headers['x-request-id']),
        authorization: caller.authorization,
        viewer: caller.viewer,
        forwardedFor: caller.forwardedFor,
        callerClass: caller.callerClass,
      };
    },
  });
  graphql.handle = responseCache ? responseCache.route(handle) : handle;
  log.info({ url: `${http.url}/graphql` }, 'gateway listening');
  return {
    ...http,
    graphqlUrl: `${http.url}/graphql`,
    responseCache,
    usage,
    reads,
    close: async () => {
      await subscriptions?.close();
      await responseCache?.close();
      await apollo.stop();
      await http.close();
      for (const replicas of replicaSets.values()) replicas.close();
      await closeFetcher();
      await usage.close();
    },
  };
}

/**
 * A subgraph's 4xx answer with a GraphQL body (a rate limit, a refused input) becomes an
 * ordinary result, so its errors reach the client with their codes instead of Apollo
 * Gateway's generic "400: Bad Request".
 */
async function errorsAsGraphQL(response: Response): Promise<Response> {
  if (response.ok || response.status >= 500 || !(response.headers.get('content-type') ?? '').includes('json')) {
    return response;
  }
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(body.errors)) return new Response(text, { status: 200, headers: response.headers });
  } catch {
    // Not GraphQL: let Apollo Gateway report it.
  }
  return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** A RATE_LIMITED result (from a subgraph, e.g. auth's registration limit) is HTTP 429 with Retry-After. */
const rateLimitedStatus: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single' || response.body.singleResult.data != null) return;
        const limited = (response.body.singleResult.errors ?? []).filter((e) => e.extensions?.code === 'RATE_LIMITED');
        if (limited.length === 0) return;
        const retryAfter = Math.max(1, ...limited.map((e) => Number(e.extensions?.retryAfter) || 1));
        response.http.status = 429;
        response.http.headers.set('retry-after', String(retryAfter));
      },
    };
  },
};

function withExplorerAssets(
  site: ReturnType<typeof explorer> | undefined,
  next: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void,
) {
  return (req: IncomingMessage, res: ServerResponse) => (site?.owns(req) ? site.asset(req, res) : next(req, res));
}

function sendGraphQLError(res: ServerResponse, error: GraphQLError): void {
  const { http, ...extensions } = error.extensions as { http?: { status?: number; headers?: Map<string, string> } };
  for (const [name, value] of http?.headers ?? []) res.setHeader(name, value);
  sendJson(res, http?.status ?? 400, { errors: [{ message: error.message, extensions }] });
}

function sendRateLimited(res: ServerResponse, states: RateLimitState[]): void {
  const binding = tightest(states)!;
  for (const [name, value] of Object.entries(rateLimitHeaders(states))) res.setHeader(name, value);
  sendJson(res, 429, {
    errors: [
      {
        message: `Too many requests; try again in ${binding.resetSeconds} s`,
        extensions: { code: 'RATE_LIMITED', retryAfter: binding.resetSeconds, limit: binding.rule.name },
      },
    ],
  });
}
