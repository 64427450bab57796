import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { sendJson } from '@agora/kit/http';
import type { Route } from '@agora/kit/server';
import { defaultSubgraphUrl, SUBGRAPHS } from '@agora/contracts/subgraphs';

/** Request headers worth passing on (conditional requests, tracing), and response headers worth returning. */
const REQUEST_HEADERS = ['if-none-match', 'if-modified-since', 'x-request-id'];
const RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'cache-control',
  'retry-after',
  'allow',
  'x-content-type-options',
  'content-security-policy',
];

const isMedia = (path: string) => path.startsWith('/media/');

/**
 * GET/HEAD /media/… streamed from the pictures subgraph, which serves the same paths
 * (Picture.url and thumbnailUrl are gateway-relative): one origin for the web app, and
 * the subgraphs stay behind the gateway. Any other path goes to `next` (the web app).
 */
export function withMediaProxy(options: {
  subgraphUrls: Record<string, string>;
  fetcher: typeof fetch;
  next?: Route;
}): Route {
  const picturesPort = SUBGRAPHS.find((s) => s.name === 'pictures')!.port;
  const origin = new URL(options.subgraphUrls.pictures ?? defaultSubgraphUrl(picturesPort)).origin;
  return async (req, res) => {
    if (!isMedia(req.url ?? '/')) {
      if (options.next) return options.next(req, res);
      return sendJson(res, 404, { error: 'not found' });
    }
    // Resolved the way the upstream will read it: `/media/../graphql` must not reach /graphql.
    const target = new URL(req.url!, origin);
    if (target.origin !== origin || !isMedia(target.pathname)) return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let upstream: Response;
    try {
      upstream = await options.fetcher(target, { method: req.method, headers: pick(req, REQUEST_HEADERS) });
    } catch {
      return sendJson(res, 502, { error: 'pictures service unavailable' });
    }
    const headers: Record<string, string> = {};
    for (const name of RESPONSE_HEADERS) {
      const value = upstream.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    res.writeHead(upstream.status, headers);
    if (!upstream.body || req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(Readable.fromWeb(upstream.body as ReadableStream), res).catch((error: unknown) => {
      // The client went away mid-download: nothing to answer anymore.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    });
  };
}

function pick(req: IncomingMessage, names: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}
