import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

/** Where the explorer's files are served from (`vite build` of gateway/explorer sets this base). */
export const EXPLORER_BASE = '/explorer/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

/**
 * The API explorer (GraphiQL, bundled from npm by `npm run build -w @agora/gateway`): a
 * browser's GET of /graphql gets its page, everything it loads comes from this gateway
 * (EXPLORER_BASE), nothing from a CDN and no telemetry. The page is locked down by a
 * Content-Security-Policy that allows only this origin.
 */
export function explorer(root: string) {
  const base = resolve(root);
  const policy = [
    "default-src 'self'",
    "connect-src 'self' ws: wss:",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "script-src 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

  /** A browser asking for a page (not a GraphQL GET, which carries `query` or a persisted id). */
  const wants = (req: IncomingMessage): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
    if (search.has('query') || search.has('extensions')) return false;
    return (req.headers.accept ?? '').includes('text/html');
  };

  const sendFile = (req: IncomingMessage, res: ServerResponse, file: string, cache: string) => {
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': cache,
      'content-security-policy': policy,
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  return {
    wants,
    /** The explorer's page, at /graphql. */
    page: (req: IncomingMessage, res: ServerResponse) => {
      const index = join(base, 'index.html');
      if (!existsSync(index)) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The API explorer is not built: npm run build -w @agora/gateway');
        return;
      }
      sendFile(req, res, index, 'no-cache');
    },
    /** Whether a path is one of the explorer's files. */
    owns: (req: IncomingMessage) => (req.url ?? '').startsWith(EXPLORER_BASE),
    /** The explorer's scripts, styles and workers. */
    asset: (req: IncomingMessage, res: ServerResponse) => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(EXPLORER_BASE.length));
      const file = normalize(join(base, path));
      if (!file.startsWith(base + '/') || !existsSync(file) || statSync(file).isDirectory()) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      sendFile(req, res, file, file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  };
}
