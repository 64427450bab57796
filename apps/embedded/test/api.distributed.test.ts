import { randomUUID } from 'node:crypto';
import { API_KEY_CHECK_PATH, remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import { RedisCache } from '@agora/kit/cache/redis';
import { GATEWAY_SIGNATURE_HEADER, gatewaySignature, newGatewaySecret } from '@agora/kit/gateway-trust';
import { createLogger } from '@agora/kit/log';
import { describeWithService, gql, type GraphQLResponse } from '@agora/kit/testing';
import { gatewayConfig } from '@agora/gateway/config';
import { startGateway, type RunningGateway } from '@agora/gateway/gateway';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';

const PASSWORD = 'Correct-horse-battery-9';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`;

/**
 * Acceptance 1 and 2 of issue 14, with two gateway replicas sharing devstack's Redis (as in
 * distributed mode) in front of one embedded set of subgraphs: an API key works on both and
 * stops on both as soon as it is revoked; a user's rate limit is one budget across the
 * replicas (429, RATE_LIMITED, Retry-After); registrations from one address are throttled
 * by the auth service, and a forged x-forwarded-for sent straight to it changes nothing.
 */
describeWithService('REDIS_URL', 'the public API on two gateway replicas', (redisUrl) => {
  const log = createLogger('api-distributed-test');
  const secret = newGatewaySecret();
  const caches: RedisCache[] = [];
  const replicas: RunningGateway[] = [];
  let stack: EmbeddedStack;
  let authGraphql: string;

  beforeAll(async () => {
    stack = await startEmbeddedStack({
      gatewayPort: 0,
      subgraphPort: () => 0,
      env: { ...process.env, GATEWAY_SECRET: secret },
    });
    const auth = stack.services.find((s) => s.name === 'auth')!;
    authGraphql = auth.graphqlUrl;
    const config = gatewayConfig();
    const prefix = `api-test-${randomUUID()}:`;
    for (let i = 0; i < 2; i++) {
      const cache = new RedisCache(redisUrl, { keyPrefix: prefix, log });
      await cache.ready();
      await cache.redisClient.ping();
      caches.push(cache);
      replicas.push(
        await startGateway({
          host: '127.0.0.1',
          port: 0,
          log,
          supergraphPath: config.SUPERGRAPH_PATH,
          subgraphUrls: Object.fromEntries(stack.services.map((s) => [s.name, s.graphqlUrl])),
          maxBodyBytes: config.MAX_BODY_BYTES,
          identify: tokenIdentifier(remoteKeys(`${auth.url}/.well-known/jwks.json`)),
          cache,
          rateLimits: { windowSeconds: 60, anonymous: 500, user: 6, apiKey: 100 },
          gatewaySecret: secret,
          apiKeyCheckUrl: `${auth.url}${API_KEY_CHECK_PATH}`,
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    for (const cache of caches) await cache.close();
    await stack?.close();
  });

  const on = (replica: number) => replicas[replica]!.graphqlUrl;
  const register = async (name: string) => {
    const res = await gql<{ register: { accessToken: string; user: { id: string } } }>(on(0), REGISTER, {
      input: { email: `${name}@example.com`, password: PASSWORD, handle: name },
    });
    expect(res.errors).toBeUndefined();
    return `Bearer ${res.data!.register.accessToken}`;
  };

  it('authenticates with a new API key on both replicas, and refuses it on both as soon as it is revoked', async () => {
    const bearer = await register(`keys_${randomUUID().slice(0, 8)}`);
    const created = await gql<{ createApiKey: { key: string; apiKey: { id: string; prefix: string } } }>(
      on(0),
      'mutation { createApiKey(input: { name: "ci" }) { key apiKey { id name prefix lastUsedAt } } }',
      undefined,
      { authorization: bearer },
    );
    expect(created.errors).toBeUndefined();
    const { key, apiKey } = created.data!.createApiKey;
    expect(key.startsWith(apiKey.prefix)).toBe(true);

    const listKeys = '{ apiKeys { id name lastUsedAt } }';
    for (const [replica, headers] of [
      [0, { 'x-api-key': key }],
      [1, { authorization: `Bearer ${key}` }],
    ] as const) {
      const listed = await gql<{ apiKeys: { id: string; lastUsedAt: string | null }[] }>(
        on(replica),
        listKeys,
        undefined,
        headers,
      );
      expect(listed.status).toBe(200);
      expect(listed.data!.apiKeys.map((k) => k.id)).toEqual([apiKey.id]);
      expect(listed.data!.apiKeys[0]!.lastUsedAt).not.toBeNull();
    }
    // A key cannot manage keys: a leaked one must not mint others.
    const minted = await gql(on(1), 'mutation { createApiKey(input: { name: "more" }) { key } }', undefined, {
      'x-api-key': key,
    });
    expect(minted.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const revoked = await gql(on(1), `mutation { revokeApiKey(id: "${apiKey.id}") }`, undefined, {
      authorization: bearer,
    });
    expect(revoked.data).toEqual({ revokeApiKey: true });
    for (const replica of [0, 1]) {
      const refused = await gql(on(replica), '{ __typename }', undefined, { 'x-api-key': key });
      expect(refused.status).toBe(401);
      expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it("shares a user's rate limit between the replicas: 429, RATE_LIMITED and Retry-After past it", async () => {
    const bearer = await register(`limited_${randomUUID().slice(0, 8)}`);
    const answers: { status: number; retryAfter: string | null; code?: unknown }[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await fetch(on(i % 2), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: bearer },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      const body = (await response.json()) as GraphQLResponse;
      answers.push({
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        code: body.errors?.[0]?.extensions?.code,
      });
    }
    // Six a window for this user, counted across both replicas.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    expect(answers[6]).toEqual({ status: 429, retryAfter: expect.stringMatching(/^\d+$/), code: 'RATE_LIMITED' });
  });

  it('throttles registrations from one address: of 50, those past the 20th are refused with 429', async () => {
    const statuses: number[] = [];
    const retryAfter: (string | null)[] = [];
    for (let i = 0; i < 50; i++) {
      const name = `burst_${randomUUID().slice(0, 8)}`;
      const response = await fetch(on(i % 2), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: REGISTER,
          variables: { input: { email: `${name}@example.com`, password: PASSWORD, handle: name } },
        }),
      });
      statuses.push(response.status);
      retryAfter.push(response.headers.get('retry-after'));
      const body = (await response.json()) as GraphQLResponse;
      if (response.status === 429) expect(body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    }
    // Two accounts were made by the tests above, from the same address.
    expect(statuses.filter((s) => s === 200)).toHaveLength(18);
    expect(statuses.slice(18)).toEqual(Array(32).fill(429));
    expect(retryAfter[49]).toMatch(/^\d+$/);
  });

  it("keeps the limit for a forged x-forwarded-for sent straight to the auth service; only the gateway's signed one counts", async () => {
    const registerAt = (forwardedFor: string, signature?: string) => {
      const name = `direct_${randomUUID().slice(0, 8)}`;
      return fetch(authGraphql, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': forwardedFor,
          ...(signature && { [GATEWAY_SIGNATURE_HEADER]: signature }),
        },
        body: JSON.stringify({
          query: REGISTER,
          variables: { input: { email: `${name}@example.com`, password: PASSWORD, handle: name } },
        }),
      });
    };
    for (let i = 1; i <= 5; i++) {
      const forged = await registerAt(`198.51.100.${i}`);
      expect(forged.status).toBe(429);
      expect(forged.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    const wrongSignature = await registerAt(
      '198.51.100.9',
      gatewaySignature('not-the-secret-not-the-secret-00', '198.51.100.9'),
    );
    expect(wrongSignature.status).toBe(429);
    // Signed with the gateway's secret, the forwarded address is the client's: a fresh budget.
    const signed = await registerAt('198.51.100.10', gatewaySignature(secret, '198.51.100.10'));
    expect(signed.status).toBe(200);
  });
});
