import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { GraphQLSchema } from 'graphql';
import type { Identify } from '@agora/kit/auth';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import { HttpError, readBody, sendHttpError } from '@agora/kit/http';
import type { Logger } from '@agora/kit/log';
import { analyze, mutationArgumentTags, responseTags, type Analysis } from './analyze';
import { anyOfType, entityTag, INVALIDATING_TOPICS, invalidationOf, viewerTag } from './policy';
import type { ResponseStore } from './store';

export { MemoryResponseStore, RedisResponseStore, type ResponseStore } from './store';

/** A GraphQL route that may be handed the request body already read. */
export type GraphqlHandler = (req: IncomingMessage, res: ServerResponse, body?: string) => Promise<void>;

export interface ResponseCacheOptions {
  store: ResponseStore;
  log: Logger;
  /** Verifies the caller's token (as the gateway does): a bad one bypasses the cache. */
  identify?: Identify;
  /** Lifetime of an entry: a bound on staleness if events ever stopped arriving. Default 60 s. */
  ttlMs?: number;
  /** How long tags of events that feed other services' copies refuse new entries. Default 2 s. */
  cooldownMs?: number;
  maxBodyBytes: number;
  /** Registered documents by hash: a request sent by id alone is read as that document. */
  documentFor?: (hash: string) => string | undefined;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  /** Misses answered by another request's subgraph round (same key, nothing invalidated between). */
  shared: number;
  stored: number;
  /** Misses whose answer could not be kept (a tag invalidated meanwhile, or cooling down). */
  refused: number;
  bypassed: number;
  invalidations: number;
  events: number;
}

interface Captured {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const HEADER = 'x-agora-cache';

/**
 * The gateway's response cache for queries whose data is the same for every caller, or kept
 * per viewer when it depends on who asks (see policy.ts). Entries are tagged with every entity
 * they hold and dropped by the catalogue's events (every replica consumes them), and, before a
 * mutation through this gateway answers, by the entities the mutation names or returns, so a
 * client never reads its own write's old value. Read path: a hit is answered without Apollo
 * (no parse, validation, plan or subgraph call).
 */
export class ResponseCache {
  private schema?: GraphQLSchema;
  private schemaKey = '';
  private readonly analyses = new Map<string, Analysis>();
  private readonly inflight = new Map<string, { seq: number; result: Promise<Captured | undefined> }>();
  private consumer?: Consumer;
  /** Ids of the last events applied, and who waits for one (tests, benchmarks). */
  private readonly applied = new Set<string>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly ttlMs: number;
  private readonly cooldownMs: number;
  readonly stats: ResponseCacheStats = {
    hits: 0,
    misses: 0,
    shared: 0,
    stored: 0,
    refused: 0,
    bypassed: 0,
    invalidations: 0,
    events: 0,
  };

  /** Told of each request answered here without Apollo (a hit, or another request's answer shared). */
  onAnsweredHere?: (request: { query: string; operationName?: string }) => void;
  /** Told of each invalidation (a write made here or announced by an event), before it applies. */
  onInvalidate?: () => void;

  constructor(private readonly options: ResponseCacheOptions) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.cooldownMs = options.cooldownMs ?? 2_000;
  }

  /** Every loaded supergraph (Apollo Gateway's onSchemaLoadOrUpdate): entries of an older one are never served. */
  schemaChanged(apiSchema: GraphQLSchema, supergraphSdl: string): void {
    this.schema = apiSchema;
    this.schemaKey = createHash('sha256').update(supergraphSdl).digest('base64url').slice(0, 16);
    this.analyses.clear();
  }

  /** Consumes the catalogue's events (a consumer group of this process's own). */
  async start(events: EventLog): Promise<void> {
    this.consumer = await events.subscribe({
      group: `gateway-cache-${hostname()}-${process.pid}-${randomUUID()}`,
      topics: INVALIDATING_TOPICS,
      fromBeginning: false,
      handle: async (event, topic) => {
        const { tags, cooldown } = invalidationOf(topic, event);
        this.stats.events += 1;
        // A failure throws: the event is delivered again, the cache is never left stale.
        if (tags.length > 0) await this.invalidate(tags, cooldown ? this.cooldownMs : 0);
        this.markApplied(event.id);
      },
    });
  }

  /** Resolves once this cache has applied the event (dropped what it changes). */
  whenApplied(eventId: string): Promise<void> {
    if (this.applied.has(eventId)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiting.get(eventId) ?? [];
      list.push(resolve);
      this.waiting.set(eventId, list);
    });
  }

  private markApplied(eventId: string): void {
    this.applied.add(eventId);
    if (this.applied.size > 1_000) this.applied.delete(this.applied.values().next().value!);
    for (const resolve of this.waiting.get(eventId) ?? []) resolve();
    this.waiting.delete(eventId);
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    await this.options.store.close();
  }

  async invalidate(tags: string[], cooldownMs = 0): Promise<void> {
    this.stats.invalidations += 1;
    this.onInvalidate?.();
    await this.options.store.invalidate(tags, cooldownMs);
  }

  /** Wraps the gateway's GraphQL-over-HTTP handler (POST JSON requests; the rest passes through). */
  route(handle: GraphqlHandler): GraphqlHandler {
    return async (req, res, preread) => {
      if (req.method !== 'POST' || !this.schema || !(req.headers['content-type'] ?? '').includes('json')) {
        this.stats.bypassed += 1;
        return handle(req, res, preread);
      }
      let text: string;
      try {
        text = preread ?? (await readBody(req, this.options.maxBodyBytes));
      } catch (error) {
        if (error instanceof HttpError) return sendHttpError(res, error);
        throw error;
      }
      const request = parseRequest(text, this.options.documentFor);
      const analysis = request && this.analysisOf(request.query, request.operationName);
      if (!request || !analysis || analysis.kind === 'other') {
        this.stats.bypassed += 1;
        return handle(req, res, text);
      }
      if (analysis.kind === 'mutation') return this.mutation(req, res, text, handle, analysis, request.variables);
      if (!analysis.cacheable) {
        this.stats.bypassed += 1;
        return handle(req, res, text);
      }
      let viewerId: string | null = null;
      if (req.headers.authorization) {
        try {
          viewerId = (await this.options.identify?.(req.headers.authorization))?.id ?? null;
        } catch {
          this.stats.bypassed += 1; // a bad token: Apollo answers 401
          return handle(req, res, text);
        }
        if (!this.options.identify) {
          this.stats.bypassed += 1;
          return handle(req, res, text);
        }
      }
      const scope = analysis.viewerDependent && viewerId ? viewerTag(viewerId) : 'public';
      const key = createHash('sha256')
        .update(`${this.schemaKey}\0${scope}\0${request.operationName ?? ''}\0${request.query}\0`)
        .update(JSON.stringify(request.variables))
        .digest('base64url');
      let found: { body: string | undefined; seq: number };
      try {
        found = await this.options.store.lookup(key);
      } catch (error) {
        this.options.log.warn({ err: error }, 'response cache unreachable: answering without it');
        this.stats.bypassed += 1;
        return handle(req, res, text);
      }
      if (found.body !== undefined) {
        this.stats.hits += 1;
        this.onAnsweredHere?.({ ...request, operationName: request.operationName ?? analysis.name });
        return sendCached(res, found.body);
      }
      this.stats.misses += 1;
      // Another request for the same key is being answered, and nothing was invalidated since
      // it began: its answer is as fresh as ours would be.
      const leader = this.inflight.get(key);
      if (leader && leader.seq === found.seq) {
        const result = await leader.result;
        if (result) {
          this.stats.shared += 1;
          this.onAnsweredHere?.({ ...request, operationName: request.operationName ?? analysis.name });
          return send(res, result, 'shared');
        }
      }
      let settle!: (result: Captured | undefined) => void;
      const flight = { seq: found.seq, result: new Promise<Captured | undefined>((resolve) => (settle = resolve)) };
      this.inflight.set(key, flight);
      try {
        // Kept before the answer goes out: the next request finds it.
        await capture(res, handle(req, res, text), 'miss', async (captured) => {
          const data = cacheableData(captured);
          settle(data === undefined ? undefined : captured);
          if (data === undefined) return;
          const tags = responseTags(analysis, data, request.variables);
          if (scope !== 'public') tags.add(scope);
          await this.keep(key, captured, [...tags], found.seq);
        });
      } finally {
        settle(undefined);
        if (this.inflight.get(key) === flight) this.inflight.delete(key);
      }
    };
  }

  private async keep(key: string, captured: Captured, tags: string[], seq: number): Promise<void> {
    try {
      const stored = await this.options.store.store(
        key,
        `${JSON.stringify(captured.headers)}\n${captured.body}`,
        tags,
        seq,
        this.ttlMs,
      );
      if (stored) this.stats.stored += 1;
      else this.stats.refused += 1;
    } catch (error) {
      this.options.log.warn({ err: error }, 'response cache unreachable: not storing');
    }
  }

  /**
   * A mutation: answered by Apollo as usual, but its response is held until the entities it
   * names (arguments) or returns, and the caller's own User and scope, are dropped.
   */
  private async mutation(
    req: IncomingMessage,
    res: ServerResponse,
    text: string,
    handle: GraphqlHandler,
    analysis: Analysis,
    variables: Record<string, unknown>,
  ): Promise<void> {
    const tags = mutationArgumentTags(analysis, variables);
    let viewerId: string | undefined;
    try {
      viewerId = (await this.options.identify?.(req.headers.authorization))?.id;
    } catch {
      // Apollo answers 401; nothing was written.
    }
    if (viewerId) {
      tags.add(entityTag('User', viewerId)).add(anyOfType('User')).add(viewerTag(viewerId));
    }
    await capture(res, handle(req, res, text), 'bypass', async (captured) => {
      try {
        const parsed = JSON.parse(captured.body) as { data?: unknown };
        for (const tag of responseTags(analysis, parsed.data ?? null, variables)) {
          tags.add(tag);
          const type = tag.slice(0, tag.indexOf(':'));
          tags.add(anyOfType(type));
        }
      } catch {
        // not JSON: nothing returned to tag
      }
      if (tags.size === 0) return;
      try {
        await this.invalidate([...tags]);
      } catch (error) {
        // The write is done; its event will drop the entries (the consumer retries until it can).
        this.options.log.error({ err: error }, 'response cache: could not invalidate after a mutation');
      }
    });
  }

  private analysisOf(query: string, operationName: string | undefined): Analysis | undefined {
    if (!this.schema || query.length > 100_000) return undefined;
    const id = `${operationName ?? ''}\0${query}`;
    let analysis = this.analyses.get(id);
    if (!analysis) {
      analysis = analyze(this.schema, query, operationName);
      if (this.analyses.size >= 2_000) this.analyses.clear();
      this.analyses.set(id, analysis);
    }
    return analysis;
  }
}

function parseRequest(
  text: string,
  documentFor: ((hash: string) => string | undefined) | undefined,
): { query: string; operationName?: string; variables: Record<string, unknown> } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { operationName, variables, extensions } = body as Record<string, unknown>;
  let { query } = body as Record<string, unknown>;
  // A persisted query is read as its document when the id is a registered one (the web app
  // sends ids); other ids (APQ registrations, unknown) are left to Apollo, and such mutations
  // are dropped from the cache by their events only.
  const persisted = extensions && typeof extensions === 'object' && 'persistedQuery' in extensions;
  if (persisted) {
    const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } }).persistedQuery?.sha256Hash;
    const registered = typeof hash === 'string' ? documentFor?.(hash) : undefined;
    if (!registered || (query !== undefined && query !== registered)) return undefined;
    query = registered;
  }
  if (typeof query !== 'string') return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return undefined;
  }
  return {
    query,
    operationName: operationName ?? undefined,
    variables: (variables ?? {}) as Record<string, unknown>,
  };
}

/** The response's data when it may be kept: a 200 with data and no error. */
function cacheableData(captured: Captured): unknown {
  if (captured.status !== 200) return undefined;
  try {
    const parsed = JSON.parse(captured.body) as { data?: Record<string, unknown> | null; errors?: unknown };
    if (parsed.errors !== undefined || !parsed.data) return undefined;
    // A root that is null names nothing yet (a profile still on its way, an unknown id): its
    // arrival would have no tag to drop it by, so it is not kept.
    if (Object.values(parsed.data).some((value) => value === null)) return undefined;
    return parsed.data;
  } catch {
    return undefined;
  }
}

/**
 * Runs the handler, capturing the complete body it ends the response with; `before` runs
 * before the body goes out. Streamed (incremental) responses are not captured.
 */
async function capture(
  res: ServerResponse,
  handled: Promise<void>,
  label: string,
  before?: (captured: Captured) => Promise<void>,
): Promise<Captured | undefined> {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  let captured: Captured | undefined;
  let streamed = false;
  const write = res.write.bind(res);
  res.write = ((...args: Parameters<typeof write>) => {
    streamed = true;
    return write(...args);
  }) as typeof res.write;
  let pending: Promise<void> | undefined;
  res.end = ((chunk?: unknown) => {
    if (!streamed && typeof chunk === 'string') {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.getHeaders())) {
        if (typeof value === 'string') headers[name] = value;
      }
      captured = { status: res.statusCode, headers, body: chunk };
    }
    if (!res.headersSent) res.setHeader(HEADER, label);
    if (captured && before) {
      pending = before(captured).then(() => void end(chunk));
      return res;
    }
    return end(chunk);
  }) as typeof res.end;
  await handled;
  await pending;
  return captured;
}

function sendCached(res: ServerResponse, stored: string): void {
  const newline = stored.indexOf('\n');
  const headers = JSON.parse(stored.slice(0, newline)) as Record<string, string>;
  send(res, { status: 200, headers, body: stored.slice(newline + 1) }, 'hit');
}

function send(res: ServerResponse, captured: Captured, label: string): void {
  res.writeHead(captured.status, {
    ...captured.headers,
    'content-type': captured.headers['content-type'] ?? JSON_TYPE,
    'content-length': Buffer.byteLength(captured.body),
    [HEADER]: label,
  });
  res.end(captured.body);
}
