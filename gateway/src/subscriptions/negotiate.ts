import type { IncomingMessage } from 'node:http';
import { getOperationAST, parse } from 'graphql';
import { TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from 'graphql-sse';
import { readBody } from '@agora/kit/http';
import { documentFor, type PersistedDocuments } from '../persisted';

/** Which handler serves a request on the GraphQL path; `body` when it was read to decide. */
export interface Route {
  sse: boolean;
  body?: string;
}

export interface NegotiateOptions {
  maxBodyBytes: number;
  /** The operation limits' token bound: the document is parsed to learn its operation type. */
  maxTokens: number;
  persisted?: PersistedDocuments;
}

const JSON_TYPE = /application\/(graphql-response\+)?json/i;

/**
 * graphql-sse or plain GraphQL over HTTP. The protocol's own signals (a stream token, PUT,
 * DELETE) and an Accept of `text/event-stream` without JSON mean graphql-sse. A client that
 * accepts both (urql's default Accept) gets an event stream for a subscription and JSON for
 * anything else: its queries and mutations take the HTTP path (response cache, APQ), and a
 * persisted id alone works there. Throws the body reader's HttpError (413).
 */
export async function routeOf(req: IncomingMessage, options: NegotiateOptions): Promise<Route> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'PUT' || req.method === 'DELETE') return { sse: true };
  if (req.headers[TOKEN_HEADER_KEY] !== undefined || url.searchParams.has(TOKEN_QUERY_KEY)) return { sse: true };
  const accept = req.headers.accept ?? '';
  if (!accept.includes('text/event-stream')) return { sse: false };
  if (!JSON_TYPE.test(accept)) return { sse: true };
  if (req.method === 'GET') return { sse: isSubscription(paramsOfUrl(url), options) };
  if (req.method !== 'POST') return { sse: false };
  const body = await readBody(req, options.maxBodyBytes);
  return { sse: isSubscription(paramsOfBody(body), options), body };
}

interface Params {
  query?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

function paramsOfUrl(url: URL): Params {
  try {
    const extensions = url.searchParams.get('extensions');
    return {
      query: url.searchParams.get('query') ?? undefined,
      operationName: url.searchParams.get('operationName') ?? undefined,
      extensions: extensions ? JSON.parse(extensions) : undefined,
    };
  } catch {
    return {};
  }
}

function paramsOfBody(body: string): Params {
  try {
    const params: unknown = JSON.parse(body);
    return typeof params === 'object' && params !== null ? params : {};
  } catch {
    return {};
  }
}

/** Whether the request is a subscription; anything unreadable is not (the HTTP path reports it). */
function isSubscription(params: Params, options: NegotiateOptions): boolean {
  const extensions = isRecord(params.extensions) ? params.extensions : undefined;
  const query =
    typeof params.query === 'string' ? params.query : options.persisted && documentFor(options.persisted, extensions);
  if (!query) return false;
  try {
    const document = parse(query, { noLocation: true, maxTokens: options.maxTokens });
    const name = typeof params.operationName === 'string' ? params.operationName : undefined;
    return getOperationAST(document, name)?.operation === 'subscription';
  } catch {
    return false;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
