import type { IncomingMessage, Server } from 'node:http';
import type { FormattedExecutionResult, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '@agora/kit/log';
import { tooManySubscriptions, type Caller, type Opened, type SubscriptionEngine } from './engine';

/** Close codes beyond graphql-ws's own (4400, 4401, 4403, ...). */
export const CLOSE_UNAUTHORIZED = 4401;
/** The client read too slowly: its pending payloads passed the limit. Reconnecting is fine. */
export const CLOSE_SLOW_CONSUMER = 4008;

/** How long shutdown waits for graphql-ws to send the `complete` of ended subscriptions. */
const COMPLETE_GRACE_MS = 1_000;

export interface WebSocketOptions {
  server: Server;
  /** The caller's address to pass on as x-forwarded-for. */
  forwardedFor: (req: IncomingMessage) => string;
  path: string;
  engine: SubscriptionEngine;
  log: Logger;
  /** ws-level ping interval; a peer that misses a pong for as long is dropped. */
  keepAliveMs: number;
  maxSubscriptionsPerConnection: number;
  maxMessageBytes: number;
}

/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the gateway's HTTP server. The token
 * comes from `connection_init`'s payload (`authorization`), else from the upgrade
 * request's Authorization header, and is checked once per connection.
 */
export function serveWebSocket(options: WebSocketOptions): { close(): Promise<void> } {
  const { engine } = options;
  const wss = new WebSocketServer({ server: options.server, path: options.path, maxPayload: options.maxMessageBytes });
  /** Open connections' subscriptions (graphql-ws's per-connection records), for a clean shutdown. */
  const connections = new Set<Record<string, unknown>>();
  const served = useServer<Record<string, unknown> | undefined, { caller: Caller }>(
    {
      onConnect: async (ctx) => {
        connections.add(ctx.subscriptions);
        const fromParams = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof fromParams === 'string' ? fromParams : ctx.extra.request.headers.authorization;
        try {
          ctx.extra.caller = await engine.authenticate(authorization, options.forwardedFor(ctx.extra.request));
          return true;
        } catch (error) {
          ctx.extra.socket.close(CLOSE_UNAUTHORIZED, (error as Error).message);
          return false;
        }
      },
      onClose: (ctx) => void connections.delete(ctx.subscriptions),
      onSubscribe: async (ctx, _id, payload) => {
        // ctx.subscriptions already holds this one.
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [tooManySubscriptions(options.maxSubscriptionsPerConnection)];
        }
        const opened = await engine.open(payload, ctx.extra.caller!, {
          overflow: (reason) => ctx.extra.socket.close(CLOSE_SLOW_CONSUMER, reason),
        });
        if (opened.kind === 'errors') return opened.errors as GraphQLError[];
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
