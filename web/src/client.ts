import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws';
import { persistedExchange } from '@urql/exchange-persisted';
import registeredDocuments from './__generated__/persisted-documents.json';
import type { DocumentNode } from 'graphql';
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { authFetch, currentAccessToken, onIdentityChange, refresh } from './session';

/** graphql-ws close code for a refused token (the gateway checks it once per connection). */
const UNAUTHORIZED = 4401;

/**
 * The live connection: graphql-ws on the same origin's /graphql. It opens with the first
 * subscription, reconnects forever with a randomised back-off, and sends a fresh access
 * token on every (re)connection; signing in or out reconnects it as the new viewer.
 */
function liveConnection(): WSClient {
  const url = new URL('/graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = createWSClient({
    url: url.href,
    lazy: true,
    keepAlive: 20_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const ms = Math.min(1000 * 2 ** retries, 15_000) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    connectionParams: async () => {
      const token = await currentAccessToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
  onIdentityChange(() => ws.terminate());
  return ws;
}

const ws = liveConnection();

const isUnauthorizedClose = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNAUTHORIZED;

/** The registered documents (codegen's manifest, also loaded by the gateway): id → text. */
const REGISTERED: Record<string, string | undefined> = registeredDocuments;

/** The id codegen gave a document (`__meta__.hash`: the sha256 of its registered text). */
const registeredHash = (document: DocumentNode) =>
  (document as DocumentNode & { __meta__?: { hash?: string } }).__meta__?.hash;

/** APQ's id of a document not in the manifest (documents written outside `graphql()`). */
async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

export const client = new Client({
  url: '/graphql',
  fetch: authFetch,
  // Queries and mutations as JSON POSTs (subscriptions go over graphql-ws): the gateway's
  // plain GraphQL-over-HTTP path, with its response cache. urql would otherwise send queries
  // as GETs, which CSRF prevention refuses without a preflight header.
  preferGetMethod: false,
  fetchOptions: { headers: { accept: 'application/graphql-response+json, application/json' } },
  exchanges: [
    cacheExchange,
    // Queries and mutations go by their registered id (codegen's persisted-documents.json, which
    // the gateway loads), so the gateway's trusted-documents mode runs them; a gateway that does
    // not know an id yet answers PERSISTED_QUERY_NOT_FOUND and gets the text once (APQ).
    persistedExchange({
      enableForMutation: true,
      preferGetForPersistedQueries: false,
      generateHash: async (query, document) => registeredHash(document) ?? sha256(query),
    }),
    fetchExchange,
    subscriptionExchange({
      // graphql-ws always sends a text: a subscription sends its registered text (the manifest's,
      // whose sha256 is its id), which trusted-documents mode accepts, unlike urql's own print.
      forwardSubscription(request, operation) {
        const registered = REGISTERED[registeredHash(operation.query) ?? ''];
        const payload = { ...request, query: registered ?? request.query ?? '' };
        return {
          subscribe(sink) {
            let stop = ws.subscribe(payload, {
              next: (value) => sink.next(value as never),
              complete: () => sink.complete(),
              // A refused token is fatal to graphql-ws: refresh it once, then subscribe again.
              error: (error) => {
                if (!isUnauthorizedClose(error)) return sink.error(error);
                void refresh().then((ok) => {
                  if (!ok) return sink.error(error);
                  stop = ws.subscribe(payload, {
                    next: (value) => sink.next(value as never),
                    complete: () => sink.complete(),
                    error: (again) => sink.error(again),
                  });
                });
              },
            });
            return { unsubscribe: () => stop() };
          },
        };
      },
    }),
  ],
});
