import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type { Cache } from '@agora/kit/cache/port';
import type { Logger } from '@agora/kit/log';
import type { GatewayContext } from './gateway';

/**
 * Persisted operations. Automatic persisted queries (APQ) are on: a client may send
 * `extensions.persistedQuery.sha256Hash` alone, and the full query once when the gateway
 * answers PERSISTED_QUERY_NOT_FOUND. Registered documents — the manifests written by
 * codegen's client preset (`persisted-documents.json`: sha256 hash → document), the web
 * app's among them — are always known by their hash.
 *
 * Trusted-documents mode (TRUSTED_DOCUMENTS=true) runs only the registered documents: a
 * hash that is not in a manifest, or a query whose hash is not, is refused with
 * PERSISTED_QUERY_NOT_IN_LIST before it is even parsed, and APQ registers nothing.
 */
export interface PersistedDocuments {
  /** sha256 (hex) → document. */
  documents: Map<string, string>;
  trusted: boolean;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Reads manifests (JSON objects of hash → document); a missing file is logged and skipped. */
export function loadManifests(paths: string[], log: Logger): Map<string, string> {
  const documents = new Map<string, string>();
  for (const path of paths) {
    if (!existsSync(path)) {
      log.warn({ path }, 'persisted documents manifest not found');
      continue;
    }
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    for (const [hash, document] of Object.entries(manifest)) {
      // Apollo checks a sent query against the sha256 of its text: keep only entries that match.
      if (sha256(document) === hash) documents.set(hash, document);
      else log.warn({ path, hash }, 'manifest entry whose hash is not the sha256 of its document; skipped');
    }
  }
  return documents;
}

/**
 * The APQ store: the registered documents first, then what clients registered (none in
 * trusted mode). Registrations go to Redis when the gateway's cache is Redis (shared by the
 * replicas), else to Apollo's bounded in-memory LRU.
 */
export function persistedQueryCache(
  persisted: PersistedDocuments,
  shared: Cache | undefined,
  fallback: KeyValueCache<string>,
): KeyValueCache<string> {
  const store: KeyValueCache<string> = shared
    ? {
        get: (key) => shared.get<string>(key),
        set: (key, value, options) => shared.set(key, value, (options?.ttl ?? 24 * 3600) * 1000),
        delete: (key) => shared.delete(key),
      }
    : fallback;
  // Apollo prefixes its keys ("apq:<hash>").
  const hashOf = (key: string) => key.slice(key.lastIndexOf(':') + 1);
  return {
    get: async (key) => persisted.documents.get(hashOf(key)) ?? (persisted.trusted ? undefined : store.get(key)),
    set: async (key, value, options) => {
      if (!persisted.trusted && !persisted.documents.has(hashOf(key))) await store.set(key, value, options);
    },
    delete: (key) => store.delete(key),
  };
}

/**
 * Trusted-documents mode: refuses unregistered documents (the gateway's own requests
 * excepted) before they are planned or sent to a subgraph. The refusal is thrown from
 * didResolveOperation, the hook whose errors Apollo answers as a client error (400 with the
 * code); thrown from requestDidStart it became a 500. Parsing before it is bounded by the
 * body and token limits.
 */
export function trustedDocumentsPlugin(persisted: PersistedDocuments): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (!persisted.trusted || contextValue.callerClass === 'internal') return;
      return {
        async didResolveOperation({ request }) {
          const refusal = untrusted(persisted, request.query, request.extensions);
          if (refusal) throw refusal;
        },
      };
    },
  };
}

/** Why a request may not run in trusted mode, or undefined when it may (any mode). */
export function untrusted(
  persisted: PersistedDocuments,
  query: string | undefined,
  extensions: Record<string, unknown> | undefined,
): GraphQLError | undefined {
  if (!persisted.trusted) return undefined;
  const hash = (extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  const known =
    typeof query === 'string' ? persisted.documents.has(sha256(query)) : persisted.documents.has(String(hash));
  if (known) return undefined;
  return new GraphQLError(
    'Only registered operations run on this API (trusted documents); this one is not registered',
    {
      extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400 } },
    },
  );
}

/** The persisted id a request sends (`extensions.persistedQuery.sha256Hash`), if any. */
export function persistedIdOf(extensions: unknown): string | undefined {
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/** The registered document a persisted id stands for. */
export function documentFor(persisted: PersistedDocuments, extensions: unknown): string | undefined {
  const hash = persistedIdOf(extensions);
  return hash === undefined ? undefined : persisted.documents.get(hash);
}

/**
 * graphql-ws and graphql-sse refuse a request without a `query` string. One that sends only a
 * persisted id (and no query, or an empty one) gets the registered document, or an empty query when the id is unknown, which
 * the subscription engine answers with PERSISTED_QUERY_NOT_FOUND (so an APQ client sends the
 * full query).
 */
export function withRegisteredQuery(persisted: PersistedDocuments | undefined, params: unknown): unknown {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  const { query, extensions } = params as { query?: unknown; extensions?: unknown };
  // graphql-ws's own client cannot leave the query out, so an empty one counts as absent.
  if ((query != null && query !== '') || persistedIdOf(extensions) === undefined) return params;
  return { ...params, query: (persisted && documentFor(persisted, extensions)) ?? '' };
}

export const persistedQueryNotFound = () =>
  new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
