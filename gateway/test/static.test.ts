import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { CONTENT_SECURITY_POLICY, staticSite } from '../src/static';

/** The built app as the web build leaves it: hashed assets with .br and .gz copies, index.html. */
function builtApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'agora-static-'));
  mkdirSync(join(root, 'assets'));
  const script = 'console.log("hello");'.repeat(200);
  const html = '<!doctype html><script type="module" src="/assets/index-abc.js"></script>'.repeat(3);
  writeFileSync(join(root, 'index.html'), html);
  writeFileSync(join(root, 'index.html.gz'), gzipSync(html));
  writeFileSync(join(root, 'assets', 'index-abc.js'), script);
  writeFileSync(join(root, 'assets', 'index-abc.js.br'), brotliCompressSync(script));
  writeFileSync(join(root, 'assets', 'index-abc.js.gz'), gzipSync(script));
  writeFileSync(join(root, 'assets', 'logo-def.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  return root;
}

describe('the web app as the gateway serves it', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer(staticSite(builtApp()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const get = async (path: string, acceptEncoding?: string) => {
    const response = await request(`${url}${path}`, {
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    return { status: response.statusCode, headers: response.headers, body };
  };

  it('sends the brotli copy to clients that accept br, else gzip, else the file itself', async () => {
    const plain = await get('/assets/index-abc.js', '');
    const original = plain.body.toString();
    expect(plain.headers['content-encoding']).toBeUndefined();

    const br = await get('/assets/index-abc.js', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(original);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(original.length / 5);
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');

    const gz = await get('/assets/index-abc.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(original);

    // q=0 refuses a coding.
    const noBr = await get('/assets/index-abc.js', 'br;q=0, gzip;q=0.5');
    expect(noBr.headers['content-encoding']).toBe('gzip');
    const none = await get('/assets/index-abc.js', 'identity');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.toString()).toBe(original);
  });

  it('keeps the caching: hashed assets immutable for a year, the page revalidated', async () => {
    expect((await get('/assets/index-abc.js', 'br')).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
    const page = await get('/', 'gzip');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(page.body).toString()).toContain('<!doctype html>');
    // A file without compressed copies is sent as it is.
    const png = await get('/assets/logo-def.png', 'br, gzip');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
  });

  it('answers the app’s routes with the page, a missing asset with 404, and refuses paths out of the folder', async () => {
    for (const path of ['/p/general', '/post/123', '/u/ada/followers', '/no/such/page']) {
      const page = await get(path, '');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body.toString()).toContain('<!doctype html>');
    }
    expect((await get('/assets/index-old.js', 'br')).status).toBe(404);
    expect((await get('/..%2F..%2Fetc%2Fpasswd', '')).status).toBe(403);
    expect((await get('/%E0%A4%A', '')).status).toBe(400);
    const post = await request(`${url}/`, { method: 'POST', body: 'x' });
    expect(post.statusCode).toBe(405);
    await post.body.dump();
  });

  it('sends the security headers: a CSP without inline scripts, no framing, nosniff, a referrer policy', async () => {
    for (const path of ['/', '/p/general', '/assets/index-abc.js']) {
      const { headers } = await get(path, 'br');
      expect(headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(headers['x-frame-options']).toBe('DENY');
    }
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval/);
  });
});
