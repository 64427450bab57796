import type { EventEnvelope } from '@agora/kit/events/port';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import type { RunningService } from '@agora/kit/service';
import { gql, testTokens, waitFor as poll } from '@agora/kit/testing';
import { RESEND_INTERVAL_MS } from '../src/email-verification';
import { authService } from '../src/service';

/** waitFor, typed as what it resolves with: the first truthy value. */
const waitFor = <T>(what: string, check: () => T | Promise<T>, timeoutMs?: number) =>
  poll(what, check, timeoutMs) as Promise<NonNullable<T>>;

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`;
const VERIFY = `mutation($t: String!) { verifyEmail(token: $t) }`;
const RESEND = `mutation { requestEmailVerification }`;

/** Auth's side of e-mail verification: the auth.addresses events and the link's one-time token. */
describe('auth: e-mail verification', () => {
  let infra: Infra;
  let service: RunningService;
  let bearer: (viewer: { id: string; roles: ('user' | 'admin')[] }) => Promise<string>;
  const addresses: EventEnvelope[] = [];
  const usersTopic: EventEnvelope[] = [];

  beforeAll(async () => {
    infra = embeddedInfra();
    const tokens = await testTokens();
    bearer = tokens.bearer;
    for (const [topic, sink] of [
      ['auth.addresses', addresses],
      ['auth.users', usersTopic],
    ] as const) {
      await infra.events.subscribe({
        group: `test-${topic}`,
        topics: [topic],
        fromBeginning: true,
        handle: async (event) => void sink.push(event),
      });
    }
    service = await authService.start({
      host: '127.0.0.1',
      port: 0,
      log: createLogger('auth'),
      maxBodyBytes: 1_048_576,
      infra,
      identify: tokens.identify,
    });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    await infra?.close();
  });

  const call = async (query: string, variables?: Record<string, unknown>, viewer?: string) =>
    gql<Record<string, unknown>>(
      service.graphqlUrl,
      query,
      variables,
      viewer ? { authorization: await bearer({ id: viewer, roles: ['user'] }) } : {},
    );
  const register = async (handle: string) => {
    const res = await call(REGISTER, {
      input: { email: ` ${handle.toUpperCase()}@Example.com `, password: 'Quite-long-secret-42', handle },
    });
    const userId = (res.data!.register as { user: { id: string } }).user.id;
    const request = await waitFor('the verification request', () =>
      addresses.find((e) => e.type === 'address.verification-requested' && e.subject === userId),
    );
    return { userId, request: request.data as { userId: string; email: string; token: string; expiresAt: string } };
  };

  it('asks, at registration, for the normalised address to be verified, on auth.addresses only', async () => {
    const started = Date.now();
    const { userId, request } = await register('vera');
    expect(request).toEqual({
      userId,
      email: 'vera@example.com',
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const ttl = Date.parse(request.expiresAt) - started;
    expect(ttl).toBeGreaterThan(47 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(48 * 3600_000 + 60_000);
    // The widely read auth.users topic never carries the address.
    await waitFor('user.registered', () => usersTopic.some((e) => e.subject === userId));
    expect(JSON.stringify(usersTopic)).not.toContain('vera@example.com');
  });

  it('verifies by the link once, signed out; a wrong or used link is refused and changes nothing', async () => {
    const { userId, request } = await register('wendy');
    const wrong = await call(VERIFY, { t: request.token.slice(0, -1) + (request.token.endsWith('A') ? 'B' : 'A') });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect(addresses.some((e) => e.type === 'address.verified' && e.subject === userId)).toBe(false);

    expect((await call(VERIFY, { t: request.token })).data).toEqual({ verifyEmail: true });
    const verified = await waitFor('address.verified', () =>
      addresses.find((e) => e.type === 'address.verified' && e.subject === userId),
    );
    expect(verified.data).toEqual({ userId, email: 'wendy@example.com', verifiedAt: expect.any(String) });

    const again = await call(VERIFY, { t: request.token });
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toMatch(/used/);
    expect(addresses.filter((e) => e.type === 'address.verified' && e.subject === userId)).toHaveLength(1);
    // Verified already: no new e-mail.
    expect((await call(RESEND, {}, userId)).data).toEqual({ requestEmailVerification: false });
  });

  it('refuses a new link without a sign-in, and within a minute of the last one; sends it after that', async () => {
    const { userId, request } = await register('xena');
    expect((await call(RESEND)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const limited = await call(RESEND, {}, userId);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    const retryAfter = limited.errors![0]!.extensions!.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(RESEND_INTERVAL_MS / 1000);
    expect(addresses.filter((e) => e.subject === userId)).toHaveLength(1);

    // The clock moves past the interval (only Date: timers stay real, nothing waits a minute).
    jest.useFakeTimers({
      now: Date.now() + RESEND_INTERVAL_MS + 1_000,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      expect((await call(RESEND, {}, userId)).data).toEqual({ requestEmailVerification: true });
    } finally {
      jest.useRealTimers();
    }
    const requests = await waitFor('the second request', () => {
      const sent = addresses.filter((e) => e.type === 'address.verification-requested' && e.subject === userId);
      return sent.length === 2 ? sent : undefined;
    });
    const second = requests[1]!.data as { email: string; token: string };
    expect(second.email).toBe('xena@example.com');
    expect(second.token).not.toBe(request.token);
  });
});
