import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import { createHandler, TOKEN_HEADER_KEY, TOKEN_QUERY_KEY, type Response } from 'graphql-sse';
import { readBody } from '@agora/kit/http';
import type { Logger } from '@agora/kit/log';
import { tooManySubscriptions, type Caller, type SubscriptionEngine } from './engine';

export interface SseOptions {
  engine: SubscriptionEngine;
  /** The caller's address to pass on as x-forwarded-for. */
  forwardedFor: (req: IncomingMessage) => string;
  log: Logger;
  maxBodyBytes: number;
  /** Payloads a client may leave unread before its stream is ended as a slow consumer. */
  queueLimit: number;
  /** Per reserved stream (graphql-sse's "single connection mode"). */
  maxSubscriptionsPerConnection: number;
}

/** Requests of the graphql-sse protocol; everything else on /graphql is plain GraphQL over HTTP. */
export function isSseRequest(req: IncomingMessage): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  return (
    (req.headers.accept ?? '').includes('text/event-stream') ||
    req.headers[TOKEN_HEADER_KEY] !== undefined ||
    url.searchParams.has(TOKEN_QUERY_KEY) ||
    req.method === 'PUT' ||
    req.method === 'DELETE'
  );
}

/** How long a slow consumer's last bytes may take before its socket is cut. */
const SLOW_CONSUMER_GRACE_MS = 5_000;

/**
 * graphql-sse (both its distinct-connections and single-connection modes) over Node's http,
 * in the manner of the library's `use/http` but with a bounded body and a bounded backlog:
 * the token is the request's Authorization header, checked per operation.
 */
export function sseHandler(options: SseOptions) {
  const { engine } = options;
  /** Subscriptions open per reserved stream token. */
  const open = new Map<string, number>();

  const handler = createHandler<IncomingMessage, { res: ServerResponse }>({
    onSubscribe: async (req, params) => {
      let caller: Caller;
      try {
        caller = await engine.authenticate(req.raw.headers.authorization, options.forwardedFor(req.raw));
      } catch (error) {
        return errorResponse([error as GraphQLError]);
      }
      const token = streamToken(req.raw);
      if (token && (open.get(token) ?? 0) >= options.maxSubscriptionsPerConnection) {
        return errorResponse([tooManySubscriptions(options.maxSubscriptionsPerConnection)]);
      }
      const opened = await engine.open(params, caller, {
        overflow: () => req.context.res.destroy(),
        closed: () => {
          if (!token) return;
          const left = (open.get(token) ?? 1) - 1;
          if (left > 0) open.set(token, left);
          else open.delete(token);
        },
      });
      if (opened.kind === 'errors') return errorResponse(opened.errors);
      // graphql-sse only takes a result that has `data` (null when execution could not start).
      if (opened.kind === 'result') return { data: null, ...opened.result } as never;
      if (token) open.set(token, (open.get(token) ?? 0) + 1);
      return opened.stream as never;
    },
  });

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Read here, bounded: an oversized body is refused with 413 before the library sees it.
    const text = req.method === 'POST' ? await readBody(req, options.maxBodyBytes) : null;
    const [body, init] = await handler({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: {
        get: (key) => {
          // The library wants exactly `text/event-stream`; browsers and curl may send a list.
          if (key === 'accept' && (req.headers.accept ?? '').includes('text/event-stream')) return 'text/event-stream';
          const value = req.headers[key];
          return Array.isArray(value) ? value.join(', ') : value;
        },
      },
      body: text,
      raw: req,
      context: { res },
    });
    res.writeHead(init.status, init.statusText, { ...init.headers, 'x-accel-buffering': 'no' });
    if (!body || typeof body === 'string') {
      res.end(body);
      return;
    }
    const stop = () => void body.return(undefined);
    res.once('close', stop);
    // Chunks handed to the socket but not yet flushed: the client's backlog.
    let unflushed = 0;
    for await (const chunk of body) {
      if (res.destroyed) break;
      if (unflushed >= options.queueLimit) {
        options.log.warn({ unflushed }, 'SSE slow consumer; ending its stream');
        res.end(`: slow consumer: more than ${options.queueLimit} events pending\n\n`);
        setTimeout(() => res.destroy(), SLOW_CONSUMER_GRACE_MS).unref();
        stop();
        return;
      }
      unflushed += 1;
      res.write(chunk, () => (unflushed -= 1));
    }
    res.off('close', stop);
    res.end();
  };
}

function streamToken(req: IncomingMessage): string | undefined {
  const header = req.headers[TOKEN_HEADER_KEY];
  if (typeof header === 'string') return header;
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get(TOKEN_QUERY_KEY) ?? undefined;
}

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** An operation refused before it started: a plain JSON answer with a fitting status. */
function errorResponse(errors: readonly GraphQLError[]): Response {
  const status = STATUS[String(errors[0]?.extensions.code)] ?? 400;
  return [
    JSON.stringify({ errors: errors.map((e) => e.toJSON()) }),
    { status, statusText: '', headers: { 'content-type': 'application/json; charset=utf-8' } },
  ];
}
