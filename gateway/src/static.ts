import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

/**
 * The app's Content-Security-Policy: its own scripts and styles only (no inline script, no
 * eval), images from itself (thumbnails are gateway-relative) and from blob: (an upload's
 * preview), API calls and the WebSocket to this origin, and no framing by anyone.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every file of the app. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** Precompressed variants the build writes next to each text file, in order of preference. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** The codings the client accepts (`Accept-Encoding`, q=0 meaning "not this one"). */
function accepted(header: string | string[] | undefined): Set<string> {
  const names = new Set<string>();
  for (const part of [header ?? ''].flat().join(',').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) names.add(name);
  }
  return names;
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/**
 * Serves the built SPA (web/dist): files by path, index.html for the app's routes (the app
 * shows its own not-found page), a missing hashed asset as 404. A file is sent brotli- or
 * gzip-compressed when the build left a precompressed copy and the client accepts it.
 * Hashed assets are cached for a year (immutable); index.html is revalidated each time.
 */
export function staticSite(root: string) {
  const base = resolve(root);
  const assets = join(base, 'assets') + sep;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Malformed address');
      return;
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (!isFile(file)) {
      if (file.startsWith(assets) || /\.(js|css|map)$/.test(file)) {
        res.writeHead(404, { 'content-type': 'text/plain', ...SECURITY_HEADERS }).end('Not found');
        return;
      }
      file = join(base, 'index.html');
    }
    if (!isFile(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('The web app is not built: npm run build -w web');
      return;
    }
    const accepts = accepted(req.headers['accept-encoding']);
    const encoding = ENCODINGS.find((e) => accepts.has(e.name) && isFile(file + e.suffix));
    const sent = encoding ? file + encoding.suffix : file;
    const hashed = file.startsWith(assets);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(sent).size,
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(encoding ? { 'content-encoding': encoding.name } : {}),
      // Caches keep one copy per coding whenever a coded copy exists.
      ...(ENCODINGS.some((e) => isFile(file + e.suffix)) ? { vary: 'Accept-Encoding' } : {}),
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(sent).pipe(res);
  };
}
