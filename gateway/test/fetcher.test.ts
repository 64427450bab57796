import { keepAliveFetcher } from '../src/fetcher';
import { localServer } from './local-server';

describe('keepAliveFetcher (undici.request)', () => {
  const pool = keepAliveFetcher();
  let server: Awaited<ReturnType<typeof localServer>>;
  beforeAll(async () => {
    server = await localServer((req, body, res) => {
      if (req.url === '/big') {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('x'.repeat(200_000));
        return;
      }
      res.writeHead(req.url === '/refused' ? 400 : 200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
      res.end(JSON.stringify({ data: { echo: body, authorization: req.headers.authorization ?? null } }));
    });
  });
  afterAll(async () => {
    await pool.close();
    await server.close();
  });

  it('sends method, headers and body, and answers what Apollo reads (ok, status, headers.get, json)', async () => {
    const response = await pool.request(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"query":"{ a }"}',
    });
    expect([response.ok, response.status, response.statusText]).toEqual([true, 200, 'OK']);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.get('x-none')).toBeNull();
    expect(await response.json()).toEqual({ data: { echo: '{"query":"{ a }"}', authorization: 'Bearer t' } });
    await expect(response.text()).rejects.toThrow(/already been read/);
  });

  it('gives a 4xx answer whose headers a WHATWG Response takes as they are (errorsAsGraphQL)', async () => {
    const response = await pool.request(`${server.url}/refused`, { method: 'POST', body: 'x' });
    expect([response.ok, response.status, response.statusText]).toEqual([false, 400, 'Bad Request']);
    const rewritten = new Response(await response.text(), { status: 200, headers: response.headers as never });
    expect(rewritten.headers.get('content-type')).toBe('application/json');
    expect(await rewritten.json()).toEqual({ data: { echo: 'x', authorization: null } });
  });

  it('discards a body on cancel() and keeps serving on the same pool', async () => {
    const big = await pool.request(`${server.url}/big`, { method: 'POST', body: 'x' });
    expect(big.status).toBe(503);
    await big.body?.cancel();
    const next = await pool.request(`${server.url}/graphql`, { method: 'POST', body: 'y' });
    expect(await next.json()).toEqual({ data: { echo: 'y', authorization: null } });
  });

  it('fails with the socket error code replicas.ts reads (ECONNREFUSED)', async () => {
    const closed = await localServer(() => undefined);
    await closed.close();
    await expect(pool.request(`${closed.url}/graphql`, { method: 'POST', body: 'x' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('streams bodies through undici fetch on the same pool (the media proxy)', async () => {
    const response = await pool.streamingFetcher(`${server.url}/big`);
    expect(response.status).toBe(503);
    expect((await response.text()).length).toBe(200_000);
  });
});
