import { randomUUID } from 'node:crypto';
import { MemoryCache } from '@agora/kit/cache/memory';
import { RedisCache } from '@agora/kit/cache/redis';
import { rateLimitHeaders, RateLimits } from '@agora/kit/rate-limit';
import { describeWithService } from '@agora/kit/testing';

const rule = { name: 'test', points: 3, windowSeconds: 60 };

describe('rate limits in memory (embedded mode)', () => {
  it("allows the rule's points per window, then refuses with the seconds until the reset", async () => {
    const limiter = new RateLimits(new MemoryCache(), { prefix: 'test' }).limiter(rule);
    const states = [];
    for (let i = 0; i < 4; i++) states.push(await limiter.consume('client'));
    expect(states.map((s) => [s.allowed, s.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(states[3]!.resetSeconds).toBeGreaterThanOrEqual(59);
    expect((await limiter.consume('another client')).allowed).toBe(true);
    expect((await limiter.peek('client')).allowed).toBe(false);
  });

  it('writes the IETF RateLimit headers, and Retry-After when refused', async () => {
    const limiter = new RateLimits(new MemoryCache(), { prefix: 'test' }).limiter(rule);
    const first = await limiter.consume('c');
    expect(rateLimitHeaders([first])).toEqual({
      'ratelimit-policy': '"test";q=3;w=60',
      ratelimit: `"test";r=2;t=${first.resetSeconds}`,
    });
    await limiter.consume('c');
    await limiter.consume('c');
    const refused = await limiter.consume('c');
    expect(rateLimitHeaders([refused])['retry-after']).toBe(String(refused.resetSeconds));
  });
});

describe('rate limits when Redis is down', () => {
  it('go on limiting in each process (insurance limiter): neither open nor closed', async () => {
    // Nothing listens on port 1: the client never becomes ready.
    const cache = new RedisCache('redis://127.0.0.1:1', {});
    try {
      const limits = new RateLimits(cache, { prefix: `down-${randomUUID()}` });
      expect(limits.shared).toBe(true);
      const limiter = limits.limiter(rule);
      const allowed = [];
      for (let i = 0; i < 5; i++) allowed.push((await limiter.consume('client')).allowed);
      expect(allowed).toEqual([true, true, true, false, false]);
    } finally {
      await cache.close();
    }
  });
});

describeWithService('REDIS_URL', 'rate limits in Redis (distributed mode)', (redisUrl) => {
  it("are shared by two processes' limiters", async () => {
    const prefix = `shared-${randomUUID()}`;
    const [a, b] = [new RedisCache(redisUrl), new RedisCache(redisUrl)];
    try {
      // Until a client is ready its limiter counts in memory (see the test above).
      await Promise.all([a.ready(), b.ready()]);
      await Promise.all([a.redisClient.ping(), b.redisClient.ping()]);
      const one = new RateLimits(a, { prefix }).limiter(rule);
      const two = new RateLimits(b, { prefix }).limiter(rule);
      const allowed = [
        (await one.consume('client')).allowed,
        (await two.consume('client')).allowed,
        (await one.consume('client')).allowed,
        (await two.consume('client')).allowed,
      ];
      expect(allowed).toEqual([true, true, true, false]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
