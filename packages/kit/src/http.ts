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

/** Reads a request body, refusing (413) anything over `limit` bytes before buffering it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `Request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `Request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
