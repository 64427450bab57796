import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { requestIdFrom } from '@agora/kit/ids';
import type { Infra } from '@agora/kit/infra';
import type { Logger } from '@agora/kit/log';
import type { OperationLimits } from '@agora/kit/operation-limits';
import type { RateLimitState } from '@agora/kit/rate-limit';
import type { Authenticate, Caller } from '../callers';
import type { GatewayContext } from '../gateway';
import type { PersistedDocuments } from '../persisted';
import type { UsageLog } from '../usage-log';
import { ConnectionCaps, type ConnectionCapLimits } from './caps';
import { SubscriptionEngine, type Execute } from './engine';
import { routeOf, type Route } from './negotiate';
import { sseHandler } from './sse';
import { serveWebSocket } from './ws';

export interface SubscriptionLimits {
  /** Payloads a subscriber may fall behind before it is cut off as a slow consumer. */
  queueLimit: number;
  maxSubscriptionsPerConnection: number;
  /** Keep-alive ping interval (WebSocket ping frames; SSE comments are graphql-sse's, every 12 s). */
  keepAliveMs: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  queueLimit: 100,
  maxSubscriptionsPerConnection: 20,
  keepAliveMs: 12_000,
};

export interface SubscriptionsOptions extends SubscriptionLimits {
  server: Server;
  path: string;
  /** The caller's address to pass on as x-forwarded-for. */
  forwardedFor: (req: IncomingMessage) => string;
  /** The client's address, for rate limits and connection caps. */
  clientAddress: (req: IncomingMessage) => string;
  log: Logger;
  infra: Pick<Infra, 'events' | 'notices'>;
  authenticate: Authenticate;
  execute: Execute;
  limits: OperationLimits;
  maxBodyBytes: number;
  admit?: (caller: Caller) => Promise<RateLimitState[]>;
  persisted?: PersistedDocuments;
  /** WebSockets, SSE streams and reservations per client address and per API key. */
  connectionCaps?: ConnectionCapLimits;
  /** Records each operation of the transports (API-call logging). */
  usage?: UsageLog;
}

export interface Subscriptions {
  /** Give it every loaded supergraph (Apollo Gateway's onSchemaLoadOrUpdate). */
  schemaChanged(apiSchema: GraphQLSchema, supergraphSdl: string): void;
  /** Resolves once the event consumers of the current supergraph run. */
  ready(): Promise<void>;
  /** Whether a request on the GraphQL path is graphql-sse's (else plain GraphQL over HTTP); see routeOf. */
  route(req: IncomingMessage): Promise<Route>;
  /** `body`: the route's, when it had to read it. */
  handleSse(req: IncomingMessage, res: ServerResponse, body?: string): Promise<void>;
  /** Completes every subscription, then closes the WebSockets (1001). */
  close(): Promise<void>;
}

/** Event-driven subscriptions over graphql-ws and graphql-sse, on the gateway's GraphQL path. */
export function startSubscriptions(options: SubscriptionsOptions): Subscriptions {
  const { log } = options;
  const engine = new SubscriptionEngine({
    log,
    events: options.infra.events,
    notices: options.infra.notices,
    authenticate: options.authenticate,
    execute: options.execute,
    limits: options.limits,
    queueLimit: options.queueLimit,
    admit: options.admit,
    persisted: options.persisted,
  });
  const shared = {
    engine,
    log,
    forwardedFor: options.forwardedFor,
    clientAddress: options.clientAddress,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection,
    caps: options.connectionCaps ? new ConnectionCaps(options.connectionCaps) : undefined,
    persisted: options.persisted,
  };
  const recorded = (transport: 'WS' | 'SSE') => options.usage?.forTransport(engine, transport) ?? engine;
  const ws = serveWebSocket({
    server: options.server,
    path: options.path,
    keepAliveMs: options.keepAliveMs,
    maxMessageBytes: options.maxBodyBytes,
    ...shared,
    engine: recorded('WS'),
  });
  const sse = sseHandler({
    maxBodyBytes: options.maxBodyBytes,
    queueLimit: options.queueLimit,
    ...shared,
    engine: recorded('SSE'),
  });
  return {
    schemaChanged: (apiSchema, supergraphSdl) => engine.schemaChanged(apiSchema, supergraphSdl),
    ready: () => engine.ready(),
    route: (req) =>
      routeOf(req, {
        maxBodyBytes: options.maxBodyBytes,
        maxTokens: options.limits.maxTokens,
        persisted: options.persisted,
      }),
    handleSse: sse,
    close: async () => {
      await engine.close();
      await ws.close();
    },
  };
}

/**
 * Runs payload queries (and queries or mutations sent over WebSocket or SSE) through the
 * gateway's own Apollo Server, so they are planned and authorized like any HTTP request.
 */
export function executeThrough(apollo: ApolloServer<GatewayContext>): Execute {
  return async (request, caller) => {
    const response = await apollo.executeOperation(
      {
        query: request.query,
        variables: request.variables ?? undefined,
        operationName: request.operationName ?? undefined,
      },
      {
        contextValue: {
          requestId: requestIdFrom(undefined),
          authorization: caller?.authorization,
          viewer: caller?.viewer ?? null,
          // A payload shared by many subscribers is the gateway's own request.
          forwardedFor: caller?.forwardedFor ?? 'gateway',
          // Limits were checked when the operation was opened; payload queries are the gateway's own.
          callerClass: 'internal',
        },
      },
    );
    if (response.body.kind === 'single') return response.body.singleResult;
    return { errors: [{ message: 'Incremental delivery (@defer, @stream) is not available here' }] };
  };
}
