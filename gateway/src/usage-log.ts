import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, type DocumentNode, type GraphQLError } from 'graphql';
import { apiCallRecorded, type EventData, type EventEnvelope } from '@agora/contracts/events';
import type { EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { metrics } from '@agora/kit/metrics';
import type { Viewer } from '@agora/kit/viewer';
import type { Caller } from './callers';
import type { GatewayContext } from './gateway';
import type { SubscriptionEngine } from './subscriptions/engine';

/**
 * API-call logging: one record per operation — an HTTP request, a query or mutation over
 * WebSocket or SSE, and each subscription's start and end — published to `gateway.requests`
 * for the analytics subgraph.
 *
 * Off the response path: a call's record is put in a bounded in-memory buffer (O(1), never
 * waits) and a background flush publishes the buffer in batches. While the event log is
 * unreachable the flush retries with backoff, keeping what fits in the buffer; once it is
 * full, new records are dropped, counted (`stats().dropped`) and logged (at most every 10 s).
 * A broker outage therefore costs clients nothing but the records that did not fit.
 */
export type ApiCallData = EventData<typeof apiCallRecorded>;
type Transport = ApiCallData['transport'];

export interface UsageLogLimits {
  /** Records kept while waiting to be published; past it new ones are dropped. */
  bufferSize: number;
  /** Records per publish. */
  batchSize: number;
  /** Longest a record waits in the buffer while the event log is up. */
  flushIntervalMs: number;
}

export const DEFAULT_USAGE_LOG_LIMITS: UsageLogLimits = { bufferSize: 10_000, batchSize: 500, flushIntervalMs: 1_000 };

export interface UsageLogOptions extends Partial<UsageLogLimits> {
  /** Where records go; without an event log nothing is recorded. */
  events?: EventLog;
  log: Logger;
  /** A publish taking longer is given up (and retried): a hung broker must not stall the flush. */
  publishTimeoutMs?: number;
  /** Dropped records are logged at most this often, as one line with their count (default 10 s). */
  dropLogIntervalMs?: number;
}

export interface UsageLogStats {
  /** Records handed over to the event log. */
  published: number;
  /** Records lost: the buffer was full, or a record could not be built. */
  dropped: number;
  /** Records waiting in the buffer. */
  buffered: number;
  /** Publishes that failed (and were retried). */
  failedPublishes: number;
}

/** What is known of one call while it runs (HTTP, or one WebSocket / SSE operation). */
interface CallState {
  id: string;
  at: Date;
  started: number;
  transport: Transport;
  operationName: string | null;
  operationType: ApiCallData['operationType'];
  documentHash: string | null;
  /** The document text, hashed when the record is built if Apollo did not hash it. */
  document?: string;
  clientName: string | null;
  clientVersion: string | null;
  viewer: Viewer | null;
  apiKeyId: string | null;
  errorCodes: Set<string>;
  failed: boolean;
  subgraphs: Map<string, { durationMs: number; calls: number }>;
  responseBytes: number;
  requestId: string | null;
}

const BACKOFF_MAX_MS = 30_000;
const MAX_ERROR_CODES = 20;

/** HTTP statuses of requests refused before GraphQL ran, as API error codes. */
const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

const clip = (text: string | null | undefined, max: number) =>
  text === null || text === undefined || text === '' ? null : text.slice(0, max);
const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The client's self-description: the `apollographql-client-name` / `-version` headers. */
export function clientOf(req: IncomingMessage): { name: string | null; version: string | null } {
  return {
    name: clip(header(req, 'apollographql-client-name'), 100),
    version: clip(header(req, 'apollographql-client-version'), 100),
  };
}

export class UsageLog {
  private readonly calls = new AsyncLocalStorage<CallState>();
  private readonly limits: UsageLogLimits;
  private buffer: ApiCallData[] = [];
  private readonly counters = { published: 0, dropped: 0, failedPublishes: 0 };
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private failures = 0;
  private nextAttempt = 0;
  private droppedSinceLog = 0;
  private dropReason = '';
  private lastDropLog = 0;
  private dropLogTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly options: UsageLogOptions) {
    this.log = options.log.child({ component: 'usage-log' });
    this.limits = {
      bufferSize: options.bufferSize ?? DEFAULT_USAGE_LOG_LIMITS.bufferSize,
      batchSize: options.batchSize ?? DEFAULT_USAGE_LOG_LIMITS.batchSize,
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_USAGE_LOG_LIMITS.flushIntervalMs,
    };
    if (options.events) {
      this.timer = setInterval(() => void this.flush(), this.limits.flushIntervalMs);
      this.timer.unref();
    }
  }

  get enabled(): boolean {
    return this.options.events !== undefined && !this.closed;
  }

  stats(): UsageLogStats {
    return { ...this.counters, buffered: this.buffer.length };
  }

  /** Buffers one record; never waits. Full buffer: the record is dropped and counted. */
  record(data: ApiCallData): void {
    if (!this.enabled) return;
    if (this.buffer.length >= this.limits.bufferSize) {
      this.dropped(1, 'buffer full');
      return;
    }
    this.buffer.push(data);
    if (this.buffer.length >= this.limits.batchSize) setImmediate(() => void this.flush());
  }

  /** Publishes what is buffered (one flush at a time); failures back off and keep the records. */
  flush(): Promise<void> {
    if (!this.options.events || this.buffer.length === 0 || Date.now() < this.nextAttempt) {
      return this.flushing ?? Promise.resolve();
    }
    this.flushing ??= this.publishAll(this.options.events).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops recording and publishes what is left, giving up after `timeoutMs` (the rest is dropped). */
  async close(timeoutMs = 3_000): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    this.nextAttempt = 0;
    while (this.buffer.length > 0 && Date.now() < deadline) {
      await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, deadline - Date.now()))]);
      if (this.failures > 0) break;
    }
    this.closed = true;
    if (this.buffer.length > 0) this.dropped(this.buffer.splice(0).length, 'gateway stopping');
    this.logDrops(true);
  }

  private async publishAll(events: EventLog): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.limits.batchSize);
      const envelopes: EventEnvelope[] = [];
      for (const data of batch) {
        try {
          envelopes.push(apiCallRecorded.build({ subject: data.id, data }));
        } catch (error) {
          this.log.error({ err: error }, 'an API-call record does not fit the catalogue');
          this.dropped(1, 'unfit record');
        }
      }
      try {
        await withTimeout(events.publish(apiCallRecorded.topic, envelopes), this.options.publishTimeoutMs ?? 10_000);
        this.counters.published += envelopes.length;
        metrics.apiCallRecords.inc({ outcome: 'published' }, envelopes.length);
        this.failures = 0;
        this.nextAttempt = 0;
      } catch (error) {
        this.counters.failedPublishes += 1;
        this.failures += 1;
        this.nextAttempt = Date.now() + Math.min(this.limits.flushIntervalMs * 2 ** this.failures, BACKOFF_MAX_MS);
        // Back to the front, as much as fits; newer records already buffered keep their place.
        const room = this.limits.bufferSize - this.buffer.length;
        const kept = batch.slice(Math.max(0, batch.length - room));
        if (kept.length < batch.length) this.dropped(batch.length - kept.length, 'buffer full');
        this.buffer.unshift(...kept);
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.log.warn(
            { err: error, buffered: this.buffer.length, failures: this.failures },
            'could not publish API-call records; will retry',
          );
        }
        return;
      } finally {
        this.logDrops(false);
      }
    }
  }

  private dropped(count: number, reason: string): void {
    this.counters.dropped += count;
    metrics.apiCallRecords.inc({ outcome: 'dropped' }, count);
    this.droppedSinceLog += count;
    this.dropReason = reason;
    this.logDrops(false);
  }

  /** One line per interval with the records dropped in it: the first drop at once, the rest at the interval's end. */
  private logDrops(force: boolean): void {
    if (this.droppedSinceLog === 0) return;
    const now = Date.now();
    const every = this.options.dropLogIntervalMs ?? 10_000;
    if (!force && now - this.lastDropLog < every) {
      if (!this.dropLogTimer) {
        this.dropLogTimer = setTimeout(
          () => {
            this.dropLogTimer = undefined;
            this.logDrops(false);
          },
          every - (now - this.lastDropLog),
        );
        this.dropLogTimer.unref();
      }
      return;
    }
    clearTimeout(this.dropLogTimer);
    this.dropLogTimer = undefined;
    this.log.warn(
      { dropped: this.droppedSinceLog, droppedTotal: this.counters.dropped, reason: this.dropReason },
      'API-call records dropped',
    );
    this.droppedSinceLog = 0;
    this.lastDropLog = now;
  }

  // ---- What the gateway hooks in ------------------------------------------------------

  /** Runs one HTTP request on /graphql and records it when its response is done. */
  http(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void> | void): Promise<void> | void {
    if (!this.enabled) return handle();
    const client = clientOf(req);
    const call = this.newCall('HTTP', client, null);
    call.requestId = clip(header(req, 'x-request-id'), 128);
    countBytes(res, call);
    res.once('close', () => {
      if (!res.writableFinished) {
        call.failed = true;
        call.errorCodes.add('CLIENT_CLOSED_REQUEST');
      } else if (res.statusCode >= 400) {
        call.failed = true;
        if (call.errorCodes.size === 0) call.errorCodes.add(STATUS_CODES[res.statusCode] ?? `HTTP_${res.statusCode}`);
      }
      this.finish(call, 'REQUEST', performance.now() - call.started);
    });
    return this.calls.run(call, handle);
  }

  /** Who makes the running HTTP call, once authenticated (before Apollo, which a cached answer skips). */
  caller(caller: Caller): void {
    const call = this.calls.getStore();
    if (!call) return;
    call.viewer = caller.viewer;
    call.apiKeyId = caller.apiKeyId ?? null;
  }

  /** The running call's operation, for requests answered without Apollo (the response cache). */
  describe(request: { query: string; operationName?: string }): void {
    const call = this.calls.getStore();
    if (!call) return;
    call.operationName ??= clip(request.operationName, 200);
    call.operationType ??= 'query';
    call.document = request.query;
  }

  /** Apollo Server plugin: fills the running call (HTTP, or a WebSocket/SSE query) from Apollo's view of it. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    const calls = this.calls;
    return {
      async requestDidStart({ contextValue }) {
        const call = calls.getStore();
        // Payload resolutions of subscriptions run outside any call: not API calls.
        if (!call) return;
        call.viewer ??= contextValue.viewer;
        if (call.transport === 'HTTP') call.requestId = contextValue.requestId;
        return {
          async willSendResponse(ctx) {
            call.operationName =
              ctx.operationName ??
              ctx.request.operationName ??
              nameOf(ctx.document, ctx.request.operationName) ??
              call.operationName;
            call.operationType = ctx.operation?.operation ?? typeOf(ctx.document, ctx.request.operationName);
            call.documentHash = ctx.queryHash ?? call.documentHash;
            if (!call.documentHash && typeof ctx.request.query === 'string') call.document = ctx.request.query;
            const body = ctx.response.body;
            const errors = body.kind === 'single' ? body.singleResult.errors : ctx.errors;
            addErrors(call, errors);
          },
        };
      },
    };
  }

  /** Wraps a subgraph fetch of the running call, adding its time to the call's subgraphs. */
  async timeSubgraph<T>(name: string, fetch: () => Promise<T>): Promise<T> {
    const call = this.calls.getStore();
    if (!call) return fetch();
    const started = performance.now();
    try {
      return await fetch();
    } finally {
      const entry = call.subgraphs.get(name) ?? { durationMs: 0, calls: 0 };
      entry.durationMs += performance.now() - started;
      entry.calls += 1;
      call.subgraphs.set(name, entry);
    }
  }

  /**
   * The subscription engine as one transport (WS or SSE) uses it, with every operation it
   * opens recorded: queries and mutations once done, subscriptions at their start and end.
   */
  forTransport(engine: SubscriptionEngine, transport: 'WS' | 'SSE'): SubscriptionEngine {
    if (!this.enabled) return engine;
    const open: SubscriptionEngine['open'] = async (request, caller, listener, options) => {
      const call = this.newCall(transport, caller.client ?? { name: null, version: null }, caller.viewer);
      call.apiKeyId = caller.apiKeyId ?? null;
      call.operationName = clip(typeof request.operationName === 'string' ? request.operationName : null, 200);
      if (typeof request.query === 'string') call.document = request.query;
      let overflowed = false;
      let opened: Awaited<ReturnType<SubscriptionEngine['open']>>;
      try {
        opened = await this.calls.run(call, () =>
          engine.open(
            request,
            caller,
            {
              overflow: (reason) => {
                overflowed = true;
                listener.overflow(reason);
              },
              closed: () => {
                listener.closed?.();
                if (opened?.kind !== 'stream') return;
                const end = {
                  ...call,
                  id: randomUUID(),
                  at: new Date(),
                  errorCodes: new Set<string>(),
                  failed: overflowed,
                };
                if (overflowed) end.errorCodes.add('SLOW_CONSUMER');
                this.finish(end, 'SUBSCRIPTION_END', performance.now() - call.started);
              },
            },
            options,
          ),
        );
      } catch (error) {
        call.failed = true;
        call.errorCodes.add('INTERNAL_SERVER_ERROR');
        this.finish(call, 'REQUEST', performance.now() - call.started);
        throw error;
      }
      const durationMs = performance.now() - call.started;
      if (opened.kind === 'errors') {
        addErrors(call, opened.errors);
        this.finish(call, 'REQUEST', durationMs);
      } else {
        call.operationType = typeOf(opened.document, request.operationName) ?? call.operationType;
        call.operationName ??= clip(getOperationAST(opened.document, request.operationName)?.name?.value, 200);
        if (opened.kind === 'result') {
          addErrors(call, opened.result.errors);
          const result = opened.result;
          // Measured after the transport has sent it: sizing costs the client nothing.
          setImmediate(() => {
            call.responseBytes = Buffer.byteLength(JSON.stringify(result));
            this.finish(call, 'REQUEST', durationMs);
          });
        } else {
          this.finish(call, 'SUBSCRIPTION_START', durationMs);
        }
      }
      return opened;
    };
    const authenticate: SubscriptionEngine['authenticate'] = async (...args) => {
      const started = performance.now();
      try {
        return await engine.authenticate(...args);
      } catch (error) {
        // A bad token refuses the connection (WebSocket) or the operation (SSE): a failed call.
        const call = this.newCall(transport, { name: null, version: null }, null);
        call.started = started;
        addErrors(call, [error as GraphQLError]);
        this.finish(call, 'REQUEST', performance.now() - started);
        throw error;
      }
    };
    return new Proxy(engine, {
      get: (target, name) => {
        if (name === 'open') return open;
        if (name === 'authenticate') return authenticate;
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private newCall(
    transport: Transport,
    client: { name: string | null; version: string | null },
    viewer: Viewer | null,
  ): CallState {
    return {
      id: randomUUID(),
      at: new Date(),
      started: performance.now(),
      transport,
      operationName: null,
      operationType: null,
      documentHash: null,
      clientName: client.name,
      clientVersion: client.version,
      viewer,
      apiKeyId: null,
      errorCodes: new Set(),
      failed: false,
      subgraphs: new Map(),
      responseBytes: 0,
      requestId: null,
    };
  }

  private finish(call: CallState, phase: ApiCallData['phase'], durationMs: number): void {
    this.record({
      id: call.id,
      at: call.at.toISOString(),
      phase,
      transport: call.transport,
      operationName: clip(call.operationName, 200),
      operationType: call.operationType,
      documentHash: call.documentHash ?? (call.document ? sha256(call.document) : null),
      clientName: call.clientName,
      clientVersion: call.clientVersion,
      userId: call.viewer?.id ?? null,
      apiKeyId: call.apiKeyId,
      durationMs: Math.max(0, durationMs),
      outcome: call.failed || call.errorCodes.size > 0 ? 'ERROR' : 'OK',
      errorCodes: [...call.errorCodes].slice(0, MAX_ERROR_CODES),
      subgraphs: [...call.subgraphs].map(([name, s]) => ({ name: name.slice(0, 64), ...s })),
      responseBytes: call.responseBytes,
      requestId: call.requestId,
    });
  }
}

function addErrors(
  call: CallState,
  errors: readonly { extensions?: Record<string, unknown> | { code?: unknown } }[] | undefined | null,
): void {
  for (const error of errors ?? []) {
    call.failed = true;
    const code = (error.extensions as { code?: unknown } | undefined)?.code;
    if (call.errorCodes.size < MAX_ERROR_CODES) {
      call.errorCodes.add(String(code ?? 'INTERNAL_SERVER_ERROR').slice(0, 64));
    }
  }
}

function nameOf(document: DocumentNode | undefined, operationName: string | null | undefined) {
  return document ? (getOperationAST(document, operationName ?? undefined)?.name?.value ?? null) : null;
}

function typeOf(document: DocumentNode | undefined, operationName: string | null | undefined) {
  if (!document) return null;
  return getOperationAST(document, operationName ?? undefined)?.operation ?? null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Counts the body bytes written to `res` into the call (its own write/end, nothing buffered). */
function countBytes(res: ServerResponse, call: CallState): void {
  const size = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') {
      call.responseBytes += Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    } else if (chunk instanceof Uint8Array) {
      call.responseBytes += chunk.byteLength;
    }
  };
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    size(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof res.write;
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') size(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as typeof res.end;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
