import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { createHandler, TOKEN_HEADER_KEY, TOKEN_QUERY_KEY, type Request, type Response } from 'graphql-sse';
import { readBody } from '@agora/kit/http';
import type { Logger } from '@agora/kit/log';
import { rateLimitedError } from '@agora/kit/rate-limit';
import { credentialsOf, type Caller } from '../callers';
import { withRegisteredQuery, type PersistedDocuments } from '../persisted';
import { clientOf } from '../usage-log';
import type { ConnectionCaps, Release } from './caps';
import { tooManySubscriptions, type SubscriptionEngine } from './engine';
import type { SubscriberStream } from './stream';

export interface SseOptions {
  engine: SubscriptionEngine;
  /** The caller's address to pass on as x-forwarded-for, and the client address of limits. */
  forwardedFor: (req: IncomingMessage) => string;
  clientAddress: (req: IncomingMessage) => string;
  log: Logger;
  maxBodyBytes: number;
  /** Payloads a client may leave unread before its stream is ended as a slow consumer. */
  queueLimit: number;
  /** Per reserved stream (graphql-sse's "single connection mode"). */
  maxSubscriptionsPerConnection: number;
  /** Streams and reservations per client address and per API key; none: uncapped. */
  caps?: ConnectionCaps;
  /** How long a reserved stream may wait for its event stream to connect (default 30 s). */
  reservationTtlMs?: number;
  /** Registered documents, so a request may send a persisted id alone. */
  persisted?: PersistedDocuments;
}

/** How long a slow consumer's last bytes may take before its socket is cut. */
const SLOW_CONSUMER_GRACE_MS = 5_000;

/** A reserved stream (single connection mode): its slot, and whether its event stream is open. */
interface Reservation {
  release: Release;
  state: 'waiting' | 'connected' | 'ended';
  /** Resolve when the state leaves `waiting`. */
  waiters: ((connected: boolean) => void)[];
  timer: NodeJS.Timeout;
}

interface Context {
  res: ServerResponse;
  caller: Caller;
}

/**
 * graphql-sse (both its distinct-connections and single-connection modes) over Node's http,
 * in the manner of the library's `use/http`, with the holes closed:
 * - a POST must be `application/json` (no CSRF "simple request"); a GET only subscribes;
 * - credentials (access token or API key) are checked on every request; every operation is
 *   counted by the rate limits and passes the operation limits before a subgraph is called;
 * - event streams and reservations are capped per client address and per API key; a
 *   reservation whose stream does not connect within `reservationTtlMs` is dropped;
 * - no event waits in memory for a stream that is not connected: a reserved stream's
 *   operations are not read until it connects, so their bounded queues (the engine's
 *   `queueLimit`) overflow and end them instead of piling up; a connected stream whose
 *   client reads too slowly is ended (`queueLimit` chunks unflushed).
 */
export function sseHandler(options: SseOptions) {
  const { engine, caps } = options;
  const ttl = options.reservationTtlMs ?? 30_000;
  /** Subscriptions open per reserved stream token. */
  const open = new Map<string, number>();
  const reservations = new Map<string, Reservation>();

  const handler = createHandler<IncomingMessage, Context>({
    // PUT reserves a stream under a token we make (crypto-random, unlike the library's default).
    authenticate: (req) =>
      req.headers.get(TOKEN_HEADER_KEY) ??
      new URL(req.url, 'http://localhost').searchParams.get(TOKEN_QUERY_KEY) ??
      randomUUID(),
    onSubscribe: async (req, params) => {
      const { caller } = req.context;
      const token = streamToken(req.raw);
      if (token && (open.get(token) ?? 0) >= options.maxSubscriptionsPerConnection) {
        return errorResponse([tooManySubscriptions(options.maxSubscriptionsPerConnection)]);
      }
      const opened = await engine.open(
        params,
        caller,
        {
          // A reserved stream's operation just ends (its POST is long answered); a distinct one's stream is cut.
          overflow: () => (token ? undefined : req.context.res.destroy()),
          closed: () => {
            if (!token) return;
            const left = (open.get(token) ?? 1) - 1;
            if (left > 0) open.set(token, left);
            else open.delete(token);
          },
        },
        { subscriptionsOnly: req.method === 'GET' },
      );
      if (opened.kind === 'errors') return errorResponse(opened.errors);
      // graphql-sse only takes a result that has `data` (null when execution could not start).
      if (opened.kind === 'result') return { data: null, ...opened.result } as never;
      if (!token) return opened.stream as never;
      open.set(token, (open.get(token) ?? 0) + 1);
      return gated(opened.stream, reservations.get(token)) as never;
    },
  });

  const toRequest = (req: IncomingMessage, res: ServerResponse, caller: Caller, body: string | null) =>
    ({
      method: req.method ?? 'GET',
      url: withRegisteredQueryInUrl(options.persisted, req.url ?? '/'),
      headers: {
        get: (key: string) => {
          // The library wants exactly `text/event-stream`; browsers and curl may send a list.
          if (key === 'accept' && (req.headers.accept ?? '').includes('text/event-stream')) return 'text/event-stream';
          const value = req.headers[key];
          return Array.isArray(value) ? value.join(', ') : value;
        },
      },
      body,
      raw: req,
      context: { res, caller },
    }) satisfies Request<IncomingMessage, Context>;

  /** Drops a reservation: its stream is opened and closed at once, which ends its operations. */
  const endReservation = async (token: string) => {
    const reservation = reservations.get(token);
    if (!reservation) return;
    reservations.delete(token);
    clearTimeout(reservation.timer);
    reservation.release();
    const wasWaiting = reservation.state === 'waiting';
    reservation.state = 'ended';
    for (const wake of reservation.waiters.splice(0)) wake(false);
    if (!wasWaiting) return;
    const [body] = await handler({
      method: 'GET',
      url: `/graphql?${TOKEN_QUERY_KEY}=${encodeURIComponent(token)}`,
      headers: { get: (key) => (key === 'accept' ? 'text/event-stream' : undefined) },
      body: null,
      raw: undefined as unknown as IncomingMessage,
      context: undefined as unknown as Context,
    });
    if (body && typeof body !== 'string') await body.return(undefined);
  };

  const send = (res: ServerResponse, [body, init]: Response) => {
    res.writeHead(init.status, init.statusText, init.headers as Record<string, string>);
    res.end(body);
  };

  /** `preread`: the body, when routing had to read it (routeOf). */
  return async (req: IncomingMessage, res: ServerResponse, preread?: string): Promise<void> => {
    if (req.method === 'POST' && !isJson(req.headers['content-type'])) {
      // A form or a no-cors fetch cannot send application/json without a CORS preflight.
      req.resume();
      return send(res, [
        JSON.stringify({
          errors: [{ message: 'POST bodies must be application/json', extensions: { code: 'BAD_REQUEST' } }],
        }),
        {
          status: 415,
          statusText: 'Unsupported Media Type',
          headers: { 'content-type': 'application/json; charset=utf-8' },
        },
      ]);
    }
    // Read here, bounded: an oversized body is refused with 413 before the library sees it.
    const text = req.method === 'POST' ? (preread ?? (await readBody(req, options.maxBodyBytes))) : null;
    let caller: Caller;
    try {
      caller = await engine.authenticate(credentialsOf(req.headers), {
        forwardedFor: options.forwardedFor(req),
        address: options.clientAddress(req),
      });
      caller = { ...caller, client: clientOf(req) };
    } catch (error) {
      return send(res, errorResponse([error as GraphQLError]));
    }
    const token = streamToken(req);
    const eventStream = (req.headers.accept ?? '').includes('text/event-stream');
    const reservation = token ? reservations.get(token) : undefined;
    let release: Release | undefined;

    if (req.method === 'PUT') {
      const refused = (await engine.admit(caller)).find((state) => !state.allowed);
      if (refused) return send(res, errorResponse([rateLimitedError(refused)]));
      release = caps?.acquire(caller.address, caller.apiKeyId);
      if (caps && !release) return send(res, errorResponse([tooManyStreams()]));
    } else if (eventStream && !reservation) {
      // A distinct event stream: it holds a slot while it is open.
      release = caps?.acquire(caller.address, caller.apiKeyId);
      if (caps && !release) return send(res, errorResponse([tooManyStreams()]));
    }

    const [body, init] = await handler(
      toRequest(req, res, caller, text && withRegisteredQueryInBody(options.persisted, text)),
    );

    if (req.method === 'PUT') {
      if (init.status !== 201 || typeof body !== 'string') return (release?.(), send(res, [body, init]));
      const reserved: Reservation = {
        release: release ?? (() => undefined),
        state: 'waiting',
        waiters: [],
        timer: setTimeout(() => void endReservation(body), ttl),
      };
      reserved.timer.unref();
      reservations.set(body, reserved);
      return send(res, [body, init]);
    }
    if (!body || typeof body === 'string') {
      release?.();
      return send(res, [body, init]);
    }

    // An event stream: distinct, or a reserved one connecting now.
    if (reservation && token) {
      reservation.state = 'connected';
      clearTimeout(reservation.timer);
      for (const wake of reservation.waiters.splice(0)) wake(true);
    }
    const done = () => {
      release?.();
      if (reservation && token) void endReservation(token);
    };
    res.writeHead(init.status, init.statusText, { ...init.headers, 'x-accel-buffering': 'no' });
    const stop = () => void body.return(undefined);
    res.once('close', stop);
    res.once('close', done);
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

/**
 * A reserved stream's operation as graphql-sse reads it: nothing is taken from the
 * subscriber's bounded queue until the event stream connects (so nothing piles up in
 * graphql-sse's unbounded buffer); if the reservation ends first, the operation ends.
 */
function gated<T>(inner: SubscriberStream<T>, reservation: Reservation | undefined) {
  const connected = (): Promise<boolean> => {
    if (!reservation || reservation.state === 'connected') return Promise.resolve(true);
    if (reservation.state === 'ended') return Promise.resolve(false);
    return new Promise((resolve) => reservation.waiters.push(resolve));
  };
  const gate = {
    async next(): Promise<IteratorResult<T>> {
      if (!(await connected())) {
        await inner.return();
        return { value: undefined, done: true };
      }
      return inner.next();
    },
    return: () => inner.return(),
    throw: (error: unknown) => inner.throw(error),
    [Symbol.asyncIterator]() {
      return gate;
    },
  };
  return gate;
}

/** A body that sends a persisted id alone, with the query graphql-sse requires (see withRegisteredQuery). */
function withRegisteredQueryInBody(persisted: PersistedDocuments | undefined, text: string): string {
  let params: unknown;
  try {
    params = JSON.parse(text);
  } catch {
    return text; // graphql-sse reports it
  }
  const filled = withRegisteredQuery(persisted, params);
  return filled === params ? text : JSON.stringify(filled);
}

/** The same for a GET's search parameters. */
function withRegisteredQueryInUrl(persisted: PersistedDocuments | undefined, path: string): string {
  const url = new URL(path, 'http://localhost');
  const extensions = url.searchParams.get('extensions');
  if (url.searchParams.has('query') || !extensions) return path;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extensions);
  } catch {
    return path;
  }
  const filled = withRegisteredQuery(persisted, { extensions: parsed }) as { query?: string };
  if (filled.query === undefined) return path;
  url.searchParams.set('query', filled.query);
  return `${url.pathname}${url.search}`;
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

function streamToken(req: IncomingMessage): string | undefined {
  const header = req.headers[TOKEN_HEADER_KEY];
  if (typeof header === 'string') return header;
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get(TOKEN_QUERY_KEY) ?? undefined;
}

const tooManyStreams = () =>
  new GraphQLError('Too many event streams or reservations open for this client; close some first', {
    extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: new Map([['retry-after', '10']]) } },
  });

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

/** An operation refused before it started: a plain JSON answer with a fitting status and headers. */
function errorResponse(errors: readonly GraphQLError[]): Response {
  const http = errors[0]?.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
  const status = http?.status ?? STATUS[String(errors[0]?.extensions.code)] ?? 400;
  const formatted = errors.map((e) => {
    const { http: _http, ...extensions } = e.extensions;
    return { ...e.toJSON(), extensions };
  });
  return [
    JSON.stringify({ errors: formatted }),
    {
      status,
      statusText: '',
      headers: { 'content-type': 'application/json; charset=utf-8', ...Object.fromEntries(http?.headers ?? []) },
    },
  ];
}
