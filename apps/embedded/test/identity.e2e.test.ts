import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  base64url,
  calculateJwkThumbprint,
  decodeJwt,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
} from 'jose';
import { migrations as authMigrations } from '@agora/auth/store/migrations/index';
import { SigningKeyStore } from '@agora/auth/store/signing-keys';
import { ACCESS_TOKEN } from '@agora/kit/auth';
import { openDatabase } from '@agora/kit/db/datasource';
import type { EventEnvelope } from '@agora/kit/events/port';
import { outboxMigrations } from '@agora/kit/outbox';
import { sleep, waitFor, codes, gql, type GraphQLResponse, STACK_START_TIMEOUT_MS } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';

const PASSWORD = 'Correct-horse-battery-9';
/** This stack's refresh-token grace period (REFRESH_GRACE_SECONDS), short so a test can wait it out. */
const GRACE_SECONDS = 1;

interface Payload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; handle: string; displayName: string };
}

const REGISTER = `mutation($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken expiresIn user { id handle displayName } } }`;
const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken expiresIn user { id handle displayName } } }`;
const REFRESH = `mutation($token: String!) {
  refreshSession(refreshToken: $token) { accessToken refreshToken expiresIn user { id handle } } }`;
const LOGOUT = `mutation($token: String!) { logout(refreshToken: $token) }`;
const ME = `{ me { id handle followerCount followingCount } }`;

/**
 * Identity through the gateway of an embedded stack: accounts, sessions, token checks,
 * login limits, follows and blocks. The gateway trusts x-forwarded-for here (TRUST_PROXY),
 * so each test signs in from its own address and login limits do not leak between tests.
 */
describe('identity through the gateway', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agora-identity-'));
  let stack: EmbeddedStack;
  let url: string;
  let authUrl: string;
  let usersUrl: string;
  /** The auth service's signing key, planted before start so tests can sign (say, expired) tokens with it. */
  let signingKey: { kid: string; privateJwk: JWK };
  const registered: EventEnvelope[] = [];
  let addressCounter = 0;
  const newAddress = () => `203.0.113.${++addressCounter}`;

  const call = <D = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: { token?: string; address?: string; authorization?: string } = {},
  ): Promise<GraphQLResponse<D>> => {
    const headers: Record<string, string> = { 'x-forwarded-for': options.address ?? newAddress() };
    const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
    if (authorization) headers.authorization = authorization;
    return gql<D>(url, query, variables, headers);
  };
  const register = (input: Record<string, unknown>) => call<{ register: Payload }>(REGISTER, { input });
  const login = (email: string, password: string, address?: string) =>
    call<{ login: Payload }>(LOGIN, { input: { email, password } }, { address });
  const refresh = (token: string) => call<{ refreshSession: Payload }>(REFRESH, { token });
  const newUser = async (name: string) => {
    const res = await register({ email: `${name}@example.com`, password: PASSWORD, handle: name });
    expect(res.errors).toBeUndefined();
    return res.data!.register;
  };

  beforeAll(async () => {
    process.env.ADMIN_EMAILS = ' Boss@Example.com , other@example.com';
    process.env.REFRESH_GRACE_SECONDS = String(GRACE_SECONDS);
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    signingKey = { kid, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' } };
    const db = await openDatabase({
      service: 'auth',
      dataDir,
      entities: [],
      migrations: [...outboxMigrations, ...authMigrations],
    });
    await new SigningKeyStore(db).current(async () => ({
      ...signingKey,
      publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' },
    }));
    await db.destroy();

    stack = await startEmbeddedStack({
      dataDir,
      gatewayPort: 0,
      subgraphPort: () => 0,
      env: { ...process.env, TRUST_PROXY: 'true' },
    });
    url = stack.gateway.graphqlUrl;
    authUrl = stack.services.find((s) => s.name === 'auth')!.url;
    usersUrl = stack.services.find((s) => s.name === 'users')!.graphqlUrl;
    await stack.infra.events.subscribe({
      group: 'identity-test',
      topics: ['auth.users'],
      fromBeginning: true,
      handle: async (event) => void registered.push(event),
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    delete process.env.ADMIN_EMAILS;
    delete process.env.REFRESH_GRACE_SECONDS;
    await stack?.close();
  });

  describe('accounts and sessions', () => {
    it('registers, answers me, logs in, refreshes and logs out; the logged-out token then fails', async () => {
      const reg = await register({
        email: ' Ada@Example.com ',
        password: PASSWORD,
        handle: 'Ada_L',
        displayName: 'Ada',
      });
      expect(reg.errors).toBeUndefined();
      const account = reg.data!.register;
      // The profile comes from the users subgraph, created from auth's event: read-your-writes holds.
      expect(account.user).toEqual({ id: expect.any(String), handle: 'ada_l', displayName: 'Ada' });
      expect(account.expiresIn).toBe(900);
      expect(decodeJwt(account.accessToken)).toMatchObject({
        sub: account.user.id,
        iss: 'agora-auth',
        aud: 'agora',
        roles: ['user'],
      });

      const me = await call<{ me: { id: string; handle: string } }>(ME, {}, { token: account.accessToken });
      expect(me.data!.me).toMatchObject({ id: account.user.id, handle: 'ada_l' });
      expect((await call(ME)).data).toEqual({ me: null });

      const signedIn = await login('ADA@example.com', PASSWORD);
      expect(signedIn.errors).toBeUndefined();
      expect(signedIn.data!.login.user.id).toBe(account.user.id);

      const refreshed = await refresh(signedIn.data!.login.refreshToken);
      expect(refreshed.errors).toBeUndefined();
      const next = refreshed.data!.refreshSession;
      expect(next.refreshToken).not.toBe(signedIn.data!.login.refreshToken);
      const meAgain = await call<{ me: { id: string } }>(ME, {}, { token: next.accessToken });
      expect(meAgain.data!.me.id).toBe(account.user.id);

      expect((await call(LOGOUT, { token: next.refreshToken })).data).toEqual({ logout: true });
      const afterLogout = await refresh(next.refreshToken);
      expect(codes(afterLogout)).toEqual(['UNAUTHENTICATED']);
      expect((await call(LOGOUT, { token: next.refreshToken })).data).toEqual({ logout: false });
      // Another session of the same account is unaffected.
      expect((await refresh(account.refreshToken)).errors).toBeUndefined();
    });

    it('ends the whole session family when a rotated refresh token is replayed', async () => {
      await newUser('grace');
      const first = (await login('grace@example.com', PASSWORD)).data!.login.refreshToken;
      const second = (await refresh(first)).data!.refreshSession.refreshToken;
      // Within the grace period a repeat is not a replay: it gets the same new pair.
      expect((await refresh(first)).data!.refreshSession.refreshToken).toBe(second);
      const third = (await refresh(second)).data!.refreshSession.refreshToken;
      // Once the grace period is over (this stack's is 1 s), it is.
      await sleep(GRACE_SECONDS * 1000 + 100);
      const replay = await refresh(first);
      expect(codes(replay)).toEqual(['UNAUTHENTICATED']);
      expect(replay.errors![0]!.message).toMatch(/already used/);
      // The newest token of the family, never used, is dead too.
      expect(codes(await refresh(third))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await refresh('not-a-token'))).toEqual(['UNAUTHENTICATED']);
      // A fresh sign-in starts a new family.
      const again = (await login('grace@example.com', PASSWORD)).data!.login.refreshToken;
      expect((await refresh(again)).errors).toBeUndefined();
    });

    it('refuses each bad registration with its code, and writes nothing', async () => {
      await newUser('taken');
      await waitFor('the registration event', () =>
        registered.some((e) => e.data && (e.data as { handle: string }).handle === 'taken'),
      );
      const eventsBefore = registered.length;
      const attempt = (input: Record<string, unknown>) =>
        register({ email: 'fresh@example.com', password: PASSWORD, handle: 'fresh', ...input });
      const refused: [string, Record<string, unknown>, string, string][] = [
        ['short password', { password: 'Ab1-short' }, 'BAD_USER_INPUT', 'password'],
        ['one-kind password', { password: 'abcdefghijklmnop' }, 'BAD_USER_INPUT', 'password'],
        ['password with the handle', { password: 'My-FRESH-pass-1' }, 'BAD_USER_INPUT', 'password'],
        [
          'password with the email name',
          { password: 'xFresh@2024!', handle: 'other_one' },
          'BAD_USER_INPUT',
          'password',
        ],
        ['malformed email', { email: 'fresh.example.com' }, 'BAD_USER_INPUT', 'email'],
        ['email without domain dot', { email: 'fresh@example' }, 'BAD_USER_INPUT', 'email'],
        ['email with spaces', { email: 'fr esh@example.com' }, 'BAD_USER_INPUT', 'email'],
        ['short handle', { handle: 'ab' }, 'BAD_USER_INPUT', 'handle'],
        ['handle with a dash', { handle: 'fre-sh' }, 'BAD_USER_INPUT', 'handle'],
        ['blank display name', { displayName: '   ' }, 'BAD_USER_INPUT', 'displayName'],
        ['duplicate email', { email: 'TAKEN@example.com' }, 'CONFLICT', 'email'],
        ['duplicate handle', { handle: 'Taken' }, 'CONFLICT', 'handle'],
      ];
      for (const [label, input, code, field] of refused) {
        const res = await attempt(input);
        expect({ label, data: res.data, errors: res.errors?.map((e) => e.extensions) }).toEqual({
          label,
          data: null,
          errors: [expect.objectContaining({ code, field })],
        });
      }
      // Nothing was written: no profile, the very email and handle are still free, and no event:
      // the next registration's event is the only one after the refusals (the topic is ordered).
      expect((await call(`{ user(handle: "fresh") { id } }`)).data).toEqual({ user: null });
      const ok = await attempt({});
      expect(ok.errors).toBeUndefined();
      expect(ok.data!.register.user.handle).toBe('fresh');
      await waitFor('its event', () => registered.some((e) => e.subject === ok.data!.register.user.id));
      expect(registered).toHaveLength(eventsBefore + 1);
      expect(registered.at(-1)).toEqual({
        id: expect.any(String),
        type: 'user.registered',
        version: '1.0',
        occurredAt: expect.any(String),
        source: 'auth',
        subject: ok.data!.register.user.id,
        actorId: ok.data!.register.user.id,
        data: { userId: ok.data!.register.user.id, handle: 'fresh', displayName: 'fresh' },
      });
    });

    it('answers a wrong password and an unknown email alike', async () => {
      await newUser('hopper');
      const wrong = await login('hopper@example.com', 'Wrong-password-1');
      const unknown = await login('nobody@example.com', PASSWORD);
      expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
      expect(codes(unknown)).toEqual(['UNAUTHENTICATED']);
      expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);
      expect(wrong.data).toBeNull();
      expect(codes(await login('not an email', PASSWORD))).toEqual(['BAD_USER_INPUT']);
    });

    it('gives nothing but the user role for registering an address once listed in ADMIN_EMAILS', async () => {
      // Admin is granted server-side to an existing account (npm run admin:grant, analytics.e2e).
      const boss = await newUser('boss');
      expect(decodeJwt(boss.accessToken).roles).toEqual(['user']);
      const refreshed = await refresh(boss.refreshToken);
      expect(decodeJwt(refreshed.data!.refreshSession.accessToken).roles).toEqual(['user']);
    });
  });

  describe('login limits', () => {
    /** Fixed one-minute windows: start a burst early enough in one that it cannot straddle two. */
    const freshWindow = async () => {
      const left = 60_000 - (Date.now() % 60_000);
      if (left < 20_000) await sleep(left + 50);
    };

    it('answers RATE_LIMITED after 20 wrong passwords for one account within a minute', async () => {
      await newUser('target');
      await freshWindow();
      const answers: unknown[] = [];
      // Each attempt from another address: the account's own counter trips.
      for (let i = 0; i < 20; i++) answers.push(codes(await login('target@example.com', `Wrong-guess-${i}`)));
      expect(answers.slice(0, 19)).toEqual(Array(19).fill(['UNAUTHENTICATED']));
      expect(answers[19]).toEqual(['RATE_LIMITED']);
      // Even the right password waits for the window to end.
      const limited = await login('target@example.com', PASSWORD);
      expect(codes(limited)).toEqual(['RATE_LIMITED']);
      const retryAfter = limited.errors![0]!.extensions!.retryAfter as number;
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Other accounts are not affected.
      await newUser('bystander');
      expect((await login('bystander@example.com', PASSWORD)).errors).toBeUndefined();
    }, 60_000);

    it('answers RATE_LIMITED after 20 failures from one address, whatever the accounts', async () => {
      await newUser('neighbour');
      await freshWindow();
      const address = newAddress();
      for (let i = 0; i < 19; i++) {
        expect(codes(await login(`guess${i}@example.com`, PASSWORD, address))).toEqual(['UNAUTHENTICATED']);
      }
      expect(codes(await login('guess19@example.com', PASSWORD, address))).toEqual(['RATE_LIMITED']);
      expect(codes(await login('neighbour@example.com', PASSWORD, address))).toEqual(['RATE_LIMITED']);
      expect((await login('neighbour@example.com', PASSWORD, newAddress())).errors).toBeUndefined();
    }, 60_000);
  });

  describe('access tokens', () => {
    let victim: Payload;
    const claims = () => ({ roles: ['user', 'admin'] });
    const signed = (key: Parameters<SignJWT['sign']>[0], header: { alg: string; kid?: string }, exp = '5m') =>
      new SignJWT(claims())
        .setProtectedHeader(header)
        .setSubject(victim.user.id)
        .setIssuer(ACCESS_TOKEN.issuer)
        .setAudience(ACCESS_TOKEN.audience)
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(key);
    const rejected = async (token: string) => {
      const res = await call(ME, {}, { token });
      expect(res.status).toBe(401);
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data).toBeUndefined();
      // The subgraphs verify too, whoever reaches them.
      const direct = await gql(usersUrl, ME, {}, { authorization: `Bearer ${token}` });
      expect(codes(direct)).toEqual(['UNAUTHENTICATED']);
    };

    beforeAll(async () => {
      victim = await newUser('victim');
    });

    it('serves its public key as a JWKS, with a thumbprint kid and no private part', async () => {
      const response = await fetch(`${authUrl}/.well-known/jwks.json`);
      expect(response.status).toBe(200);
      const { keys } = (await response.json()) as { keys: JWK[] };
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: signingKey.kid });
      expect(keys[0]).not.toHaveProperty('d');
      expect(decodeJwt(victim.accessToken)).toMatchObject({ sub: victim.user.id });
    });

    it('accepts a token signed by the service key (the control for the forgeries below)', async () => {
      const key = await importJWK(signingKey.privateJwk, 'EdDSA');
      const token = await signed(key, { alg: 'EdDSA', kid: signingKey.kid });
      expect((await call<{ me: { id: string } }>(ME, {}, { token })).data!.me.id).toBe(victim.user.id);
    });

    it('rejects alg none', async () => {
      const encode = (value: object) => base64url.encode(JSON.stringify(value));
      const now = Math.floor(Date.now() / 1000);
      const payload = { ...claims(), sub: victim.user.id, iss: 'agora-auth', aud: 'agora', iat: now, exp: now + 300 };
      await rejected(`${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`);
      await rejected(`${encode({ alg: 'none', typ: 'JWT', kid: signingKey.kid })}.${encode(payload)}.`);
    });

    it('rejects HS256 signed with the public key', async () => {
      const { keys } = (await (await fetch(`${authUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
      const publicKey = await importJWK(keys[0]!, 'EdDSA');
      const pem = await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]);
      for (const secret of [pem, JSON.stringify(keys[0]), keys[0]!.x!]) {
        await rejected(await signed(new TextEncoder().encode(secret), { alg: 'HS256', kid: signingKey.kid }));
      }
    });

    it('rejects an expired token signed by the service key', async () => {
      const key = await importJWK(signingKey.privateJwk, 'EdDSA');
      await rejected(await signed(key, { alg: 'EdDSA', kid: signingKey.kid }, '-1m'));
    });

    it('rejects a token with an unknown kid, or signed by another key under the real kid', async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      await rejected(await signed(privateKey, { alg: 'EdDSA', kid: 'an-unknown-key' }));
      await rejected(await signed(privateKey, { alg: 'EdDSA', kid: signingKey.kid }));
      await rejected(await signed(privateKey, { alg: 'EdDSA' }));
    });

    it('rejects a malformed Authorization header', async () => {
      const res = await call(ME, {}, { authorization: 'Basic dXNlcjpwYXNz' });
      expect(res.status).toBe(401);
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('follows and blocks', () => {
    const USER = `query($id: ID) { user(id: $id) { id followerCount followingCount viewerIsFollowing viewerHasBlocked
      followers(first: 100) { edges { node { id } } } following(first: 100) { edges { node { id } } } } }`;
    interface UserView {
      id: string;
      followerCount: number;
      followingCount: number;
      viewerIsFollowing: boolean;
      viewerHasBlocked: boolean;
      followers: { edges: { node: { id: string } }[] };
      following: { edges: { node: { id: string } }[] };
    }
    const view = async (id: string, token?: string) =>
      (await call<{ user: UserView }>(USER, { id }, { token })).data!.user;
    const relate = (mutation: string, userId: string, token: string) =>
      call<Record<string, { id: string; followerCount: number }>>(
        `mutation($id: ID!) { ${mutation}(userId: $id) { id followerCount followingCount } }`,
        { id: userId },
        { token },
      );
    /** Counts must equal the edges they count. */
    const consistent = (user: UserView) => {
      expect(user.followerCount).toBe(user.followers.edges.length);
      expect(user.followingCount).toBe(user.following.edges.length);
    };

    // 12 fans: each is a registration (an argon2 hash); 50 parallel follows, and races between
    // follows and blocks, are counted on PostgreSQL in users.service.test.ts.
    it('counts 12 parallel follows of one user exactly, and a block makes both counts consistent again', async () => {
      const star = await newUser('star');
      const fans = await Promise.all(Array.from({ length: 12 }, (_, i) => newUser(`fan${i}`)));
      const results = await Promise.all(fans.map((fan) => relate('follow', star.user.id, fan.accessToken)));
      expect(results.flatMap((r) => codes(r))).toEqual([]);
      const followed = await view(star.user.id, fans[0]!.accessToken);
      expect(followed.followerCount).toBe(12);
      expect(new Set(followed.followers.edges.map((e) => e.node.id)).size).toBe(12);
      expect(followed.viewerIsFollowing).toBe(true);
      consistent(followed);

      // The star follows a fan back, then blocks that fan: both edges go, all four counts follow.
      const fan = fans[0]!;
      expect(codes(await relate('follow', fan.user.id, star.accessToken))).toEqual([]);
      const blocked = await relate('block', fan.user.id, star.accessToken);
      expect(blocked.data!.block).toMatchObject({ id: fan.user.id, followerCount: 0 });
      const starAfter = await view(star.user.id, fan.accessToken);
      expect(starAfter).toMatchObject({ followerCount: 11, followingCount: 0, viewerIsFollowing: false });
      consistent(starAfter);
      const fanAfter = await view(fan.user.id, star.accessToken);
      expect(fanAfter).toMatchObject({ followerCount: 0, followingCount: 0, viewerHasBlocked: true });
      consistent(fanAfter);

      // Neither can follow the other while the block stands; after unblock the fan may again.
      expect(codes(await relate('follow', star.user.id, fan.accessToken))).toEqual(['FORBIDDEN']);
      expect(codes(await relate('follow', fan.user.id, star.accessToken))).toEqual(['FORBIDDEN']);
      expect(codes(await relate('unblock', fan.user.id, star.accessToken))).toEqual([]);
      expect((await relate('follow', star.user.id, fan.accessToken)).data!.follow!.followerCount).toBe(12);
    }, 120_000);

    it('refuses relations without a caller, with yourself, or with an unknown user', async () => {
      const solo = await newUser('solo');
      expect(codes(await call(`mutation { follow(userId: "${solo.user.id}") { id } }`))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await relate('follow', solo.user.id, solo.accessToken))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await relate('block', solo.user.id, solo.accessToken))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await relate('follow', 'not-a-user', solo.accessToken))).toEqual(['NOT_FOUND']);
    });
  });
});
