import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type FormattedExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '@agora/kit/log';
import { credentialsOfParams } from '../callers';
import { withRegisteredQuery, type PersistedDocuments } from '../persisted';
import { clientOf } from '../usage-log';
import type { ConnectionCaps, Release } from './caps';
import { tooManySubscriptions, type Caller, type Opened, type SubscriptionEngine } from './engine';

/** Close codes beyond graphql-ws's own (4400, 4401, 4403, ...). */
export const CLOSE_UNAUTHORIZED = 4401;
/** The client read too slowly: its pending payloads passed the limit. Reconnecting is fine. */
export const CLOSE_SLOW_CONSUMER = 4008;
/** The API key already holds as many connections as it may. */
export const CLOSE_TOO_MANY_CONNECTIONS = 4029;

/** How long shutdown waits for graphql-ws to send the `complete` of ended subscriptions. */
const COMPLETE_GRACE_MS = 1_000;

export interface WebSocketOptions {
  server: Server;
  /** The caller's address to pass on as x-forwarded-for, and the client address of limits. */
  forwardedFor: (req: IncomingMessage) => string;
  clientAddress: (req: IncomingMessage) => string;
  path: string;
  engine: SubscriptionEngine;
  log: Logger;
  /** ws-level ping interval; a peer that misses a pong for as long is dropped. */
  keepAliveMs: number;
  maxSubscriptionsPerConnection: number;
  maxMessageBytes: number;
  /** Connections per client address and per API key; none: uncapped. */
  caps?: ConnectionCaps;
  /** Registered documents, so a subscribe message may send a persisted id alone. */
  persisted?: PersistedDocuments;
}

type Extra = {
  caller?: Caller;
  releaseKey?: Release;
};

/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the gateway's HTTP server. Past the
 * per-address cap an upgrade is refused with HTTP 429 before any WebSocket exists. The
 * credentials come from `connection_init`'s payload (`authorization` or `x-api-key`), else
 * from the upgrade request's headers; they are checked at connection, and an API key again
 * for each new operation (a revoked key opens nothing more). Every failure of one operation
 * is an `error` message for it, never the end of the socket.
 */
export function serveWebSocket(options: WebSocketOptions): { close(): Promise<void> } {
  const { engine, caps } = options;
  const wss = new WebSocketServer({
    server: options.server,
    path: options.path,
    maxPayload: options.maxMessageBytes,
    verifyClient: caps
      ? (info, done) => {
          const release = caps.acquire(options.clientAddress(info.req));
          if (!release) return done(false, 429, 'Too many connections from this address', { 'retry-after': '10' });
          info.req.socket.once('close', release);
          done(true);
        }
      : undefined,
  });
  /** Open connections' subscriptions (graphql-ws's per-connection records), for a clean shutdown. */
  const connections = new Set<Record<string, unknown>>();
  const origin = (req: IncomingMessage) => ({
    forwardedFor: options.forwardedFor(req),
    address: options.clientAddress(req),
  });
  const served = useServer<Record<string, unknown> | undefined, Extra>(
    {
      onConnect: async (ctx) => {
        connections.add(ctx.subscriptions);
        const request = ctx.extra.request;
        try {
          const caller = await engine.authenticate(credentialsOfParams(ctx.connectionParams, request), origin(request));
          if (caller.apiKeyId && caps) {
            const release = caps.acquireKey(caller.apiKeyId);
            if (!release) {
              ctx.extra.socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections for this API key');
              return false;
            }
            ctx.extra.releaseKey = release;
          }
          ctx.extra.caller = { ...caller, client: clientOf(request) };
          return true;
        } catch (error) {
          const code = error instanceof GraphQLError ? error.extensions.code : undefined;
          // 1013: try again later (the auth service could not check an API key).
          ctx.extra.socket.close(
            code === 'UNAUTHENTICATED' ? CLOSE_UNAUTHORIZED : 1013,
            code === 'UNAUTHENTICATED' ? (error as Error).message : 'Credentials could not be checked',
          );
          return false;
        }
      },
      onClose: (ctx) => {
        connections.delete(ctx.subscriptions);
        ctx.extra.releaseKey?.();
      },
      onSubscribe: async (ctx, _id, payload) => {
        // ctx.subscriptions already holds this one.
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [tooManySubscriptions(options.maxSubscriptionsPerConnection)];
        }
        let caller = ctx.extra.caller!;
        if (caller.credentials?.apiKey !== undefined) {
          try {
            caller = { ...(await engine.authenticate(caller.credentials, caller)), client: caller.client };
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
        }
        const opened = await engine.open(payload, caller, {
          overflow: (reason) => ctx.extra.socket.close(CLOSE_SLOW_CONSUMER, reason),
        });
        if (opened.kind === 'errors') return opened.errors.map(withoutHttp);
        return {
          schema: opened.schema,
          document: opened.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: opened,
        };
      },
      // What onSubscribe opened is handed back to graphql-ws as the operation's result.
      execute: (args) => (args.contextValue as Extract<Opened, { kind: 'result' }>).result as never,
      subscribe: (args) => (args.contextValue as Extract<Opened, { kind: 'stream' }>).stream as never,
      // Payloads are already formatted by the supergraph's execution: send them as they are.
      onNext: (_ctx, _id, _payload, _args, result) => result as FormattedExecutionResult,
      // graphql-ws checks that a subscribe message's payload has a query before onSubscribe.
      jsonMessageReviver(this: unknown, key, value) {
        const holder = this as { type?: unknown };
        return key === 'payload' && holder.type === 'subscribe' ? withRegisteredQuery(options.persisted, value) : value;
      },
    },
    wss,
    options.keepAliveMs,
  );
  let closing: Promise<void> | undefined;
  return {
    /**
     * Call once the engine has completed every subscription: lets graphql-ws send their
     * `complete` (bounded), then closes with 1001 "Going away"; clients may reconnect to
     * another replica.
     */
    close: () =>
      (closing ??= (async () => {
        const deadline = Date.now() + COMPLETE_GRACE_MS;
        while ([...connections].some((subs) => Object.keys(subs).length > 0) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await served.dispose();
      })()),
  };
}

/** HTTP details mean nothing on a socket: keep the message and the code. */
function withoutHttp(error: GraphQLError): GraphQLError {
  if (!('http' in error.extensions)) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, path: error.path, extensions });
}
