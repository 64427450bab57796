import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a request body, refusing (413) anything over `limit` bytes before buffering it. The
 * request is left paused, not destroyed (a `for await` that stops early would destroy it and
 * detach its socket, which then never counts as idle when the server drains on shutdown); the
 * 413 answer closes the connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new HttpError(413, `Request body over ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).pause();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A GraphQL-over-HTTP error response in the shape clients expect from Apollo. */
export function sendHttpError(res: ServerResponse, error: HttpError): void {
  const code = error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
  // The rest of an oversized body is not read: the connection cannot carry another request.
  if (error.status === 413) res.setHeader('connection', 'close');
  sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code } }] });
}

/**
 * Apollo Server over Node's http module: the integration API (executeHTTPGraphQLRequest)
 * with a bounded body. Streams incremental responses as they come.
 */
export function apolloHandler<C extends BaseContext>(
  server: ApolloServer<C>,
  options: { maxBodyBytes: number; context: (req: IncomingMessage) => Promise<C> },
) {
  // `preread`: the body, when a wrapper (the gateway's response cache) has read it already.
  return async (req: IncomingMessage, res: ServerResponse, preread?: string): Promise<void> => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method === 'POST') {
        const text = preread ?? (await readBody(req, options.maxBodyBytes));
        const type = headers.get('content-type') ?? '';
        if (type.includes('json')) {
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            throw new HttpError(400, 'Request body is not valid JSON');
          }
        } else {
          body = text;
        }
      }
    } catch (error) {
      if (error instanceof HttpError) return sendHttpError(res, error);
      throw error;
    }
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => options.context(req),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      if (
        res.statusCode === 400 &&
        acceptsOnlyLegacyJson(headers.get('accept')) &&
        isRequestError(response.body.string)
      ) {
        res.statusCode = 200;
      }
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/**
 * GraphQL over HTTP: a client that asks for `application/json` (and not
 * `application/graphql-response+json`) is a legacy client, to which a request error
 * (parse, validation, variable coercion, an operation limit) is answered with 200 and its
 * `errors`; every other client gets 400 (any media type, or no Accept, included).
 */
function acceptsOnlyLegacyJson(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((type) => type.split(';')[0]!.trim().toLowerCase());
  return types.includes('application/json') && !types.includes('application/graphql-response+json');
}

const REQUEST_ERRORS = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'COST_ESTIMATED_TOO_EXPENSIVE',
]);

function isRequestError(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
    return (
      parsed.data === undefined &&
      Array.isArray(parsed.errors) &&
      parsed.errors.length > 0 &&
      parsed.errors.every((error) => REQUEST_ERRORS.has(String(error.extensions?.code)))
    );
  } catch {
    return false;
  }
}
