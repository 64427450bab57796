import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, SignJWT, type JWK } from 'jose';
import type { DataSource } from 'typeorm';
import { ACCESS_TOKEN, remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import { openDatabase } from '@agora/kit/db/datasource';
import type { EventEnvelope } from '@agora/kit/events/port';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import { outboxMigrations } from '@agora/kit/outbox';
import type { RunningService } from '@agora/kit/service';
import { waitFor, testTokens, freshDatabase, describeWithService, codes, gql } from '@agora/kit/testing';
import { newSigningKey } from '../src/access-tokens';
import { changeAdmin } from '../src/admin-grant';
import { JWKS_PATH, authService } from '../src/service';
import { migrations } from '../src/store/migrations';
import type { SigningKey } from '../src/store/signing-keys';

const PASSWORD = 'Quite-long-secret-42';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken expiresIn user { id } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;

interface Payload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string };
}

interface Database {
  url?: string;
  dataDir?: string;
  drop: () => Promise<void>;
}

/** The auth subgraph alone, on a database kept across restarts so its stored state can be inspected. */
function authSuite(database: () => Promise<Database>) {
  let db: Database;
  let infra: Infra;
  let service: RunningService;
  const events: EventEnvelope[] = [];

  /** A restart takes the same port, so verifiers holding the JWKS URL keep working. */
  const start = async (port = 0) => {
    service = await authService.start({
      host: '127.0.0.1',
      port,
      log: createLogger('auth'),
      maxBodyBytes: 1_048_576,
      databaseUrl: db.url,
      dataDir: db.dataDir,
      infra,
      identify: (await testTokens()).identify,
    });
  };
  const register = (input: Record<string, unknown>) =>
    gql<{ register: Payload }>(service.graphqlUrl, REGISTER, { input: { password: PASSWORD, ...input } });
  const refresh = (token: string) => gql<{ refreshSession: Payload }>(service.graphqlUrl, REFRESH, { t: token });
  const jwks = async () => (await (await fetch(`${service.url}${JWKS_PATH}`)).json()) as { keys: JWK[] };
  /** A verifier as the gateway has one, without the pause between refetches (tests rotate keys at once). */
  const verifier = () => tokenIdentifier(remoteKeys(`${service.url}${JWKS_PATH}`, { cooldownMs: 0 }));
  /** Stops the service, lets `work` change its stored state, and starts it again on the same port. */
  const whileStopped = async (work: (stored: DataSource) => Promise<void>) => {
    await service.close();
    const stored = await openDatabase({
      service: 'auth',
      url: db.url,
      dataDir: db.dataDir,
      entities: [],
      migrations: [...outboxMigrations, ...migrations],
    });
    try {
      await work(stored);
    } finally {
      await stored.destroy();
    }
    await start(Number(new URL(service.url).port));
  };
  /** An access token for `userId` signed by `key`, as auth would have signed it with that key. */
  const signedBy = async (key: SigningKey, userId: string) =>
    `Bearer ${await new SignJWT({ roles: ['user'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
      .setSubject(userId)
      .setIssuer(ACCESS_TOKEN.issuer)
      .setAudience(ACCESS_TOKEN.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(key.privateJwk, 'EdDSA'))}`;
  const refused = (verifying: Promise<unknown>) =>
    expect(verifying).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });

  beforeAll(async () => {
    // Once listed accounts became admin on registering; it must grant nothing now.
    process.env.ADMIN_EMAILS = 'root@example.com';
    db = await database();
    infra = embeddedInfra();
    await infra.events.subscribe({
      group: 'auth-test',
      topics: ['auth.users'],
      fromBeginning: true,
      handle: async (event) => void events.push(event),
    });
    await start();
  }, 60_000);
  afterAll(async () => {
    delete process.env.ADMIN_EMAILS;
    await service?.close();
    await infra?.close();
    await db?.drop();
  });

  it('issues access tokens that verify against its JWKS, whose kid is the key thumbprint', async () => {
    const { keys } = await jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.kid).toBe(await calculateJwkThumbprint(keys[0]!));
    const root = (await register({ email: 'root@example.com', handle: 'root' })).data!.register;
    const plain = (await register({ email: 'plain@example.com', handle: 'plain' })).data!.register;
    expect(await verifier()(`Bearer ${root.accessToken}`)).toEqual({ id: root.user.id, roles: ['user'] });
    expect(await verifier()(`Bearer ${plain.accessToken}`)).toEqual({ id: plain.user.id, roles: ['user'] });
  });

  it('grants admin only through the server-side step, from the next token on, and revokes it', async () => {
    const boss = (await register({ email: 'boss@example.com', handle: 'boss' })).data!.register;
    expect((await verifier()(`Bearer ${boss.accessToken}`))?.roles).toEqual(['user']);
    // PGlite opens in one process only: the step runs with the service stopped (PostgreSQL would not mind).
    const port = Number(new URL(service.url).port);
    await service.close();
    const place = { databaseUrl: db.url, dataDir: db.dataDir };
    expect(await changeAdmin({ email: ' Boss@Example.com ', ...place })).toMatchObject({ result: 'granted' });
    expect(await changeAdmin({ email: 'boss@example.com', ...place })).toMatchObject({ result: 'already' });
    expect(await changeAdmin({ email: 'ghost@example.com', ...place })).toMatchObject({ result: 'no-account' });
    await start(port);
    const granted = (await refresh(boss.refreshToken)).data!.refreshSession;
    expect((await verifier()(`Bearer ${granted.accessToken}`))?.roles).toEqual(['user', 'admin']);

    await service.close();
    expect(await changeAdmin({ email: 'boss@example.com', revoke: true, ...place })).toMatchObject({
      result: 'revoked',
    });
    await start(port);
    const revoked = (await refresh(granted.refreshToken)).data!.refreshSession;
    expect((await verifier()(`Bearer ${revoked.accessToken}`))?.roles).toEqual(['user']);
  }, 60_000);

  it('publishes user.registered for each account, with the contract data', async () => {
    const { user } = (await register({ email: 'evented@example.com', handle: 'Evented', displayName: ' Eve ' })).data!
      .register;
    await waitFor('the event', () => events.find((e) => e.subject === user.id));
    expect(events.find((e) => e.subject === user.id)).toMatchObject({
      type: 'user.registered',
      source: 'auth',
      data: { userId: user.id, handle: 'evented', displayName: 'Eve' },
    });
  });

  it('lets exactly one of two simultaneous registrations of an email through', async () => {
    const results = await Promise.all([
      register({ email: 'race@example.com', handle: 'race_one' }),
      register({ email: 'Race@example.com', handle: 'race_two' }),
    ]);
    expect(results.map((r) => codes(r)).sort()).toEqual([[], ['CONFLICT']]);
  });

  it('gives every simultaneous use of one refresh token the same new pair (the grace period)', async () => {
    const { refreshToken } = (await register({ email: 'twin@example.com', handle: 'twin' })).data!.register;
    // Two tabs and a reload at once, many times over: one trade, and every caller gets its result.
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(refreshToken)));
    expect(results.flatMap((r) => codes(r))).toEqual([]);
    const pairs = new Set(results.map((r) => JSON.stringify(r.data!.refreshSession)));
    expect(pairs.size).toBe(1);
    const pair = results[0]!.data!.refreshSession;
    expect(pair.refreshToken).not.toBe(refreshToken);
    // Still within the grace period, the first token gets that pair again...
    expect((await refresh(refreshToken)).data!.refreshSession).toEqual(pair);
    // ...and the session goes on: the new token trades once, for a different pair.
    const next = (await refresh(pair.refreshToken)).data!.refreshSession;
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    expect(await verifier()(`Bearer ${next.accessToken}`)).toMatchObject({ roles: ['user'] });
  });

  it('ends the whole session when a used refresh token comes back after the grace period', async () => {
    const first = (await register({ email: 'replay@example.com', handle: 'replay' })).data!.register;
    const second = (await refresh(first.refreshToken)).data!.refreshSession;
    await service.close();
    // The first token was traded a minute ago (the grace period is seconds).
    const stored = await openDatabase({
      service: 'auth',
      url: db.url,
      dataDir: db.dataDir,
      entities: [],
      migrations: [...outboxMigrations, ...migrations],
    });
    try {
      const digest = createHash('sha256').update(first.refreshToken).digest('hex');
      const [row] = (await stored.query(`SELECT successor_sealed FROM refresh_tokens WHERE token_hash = $1`, [
        digest,
      ])) as { successor_sealed: string }[];
      // The pair it was traded for is kept sealed: no token is readable from the table.
      expect(row!.successor_sealed).toBeTruthy();
      expect(row!.successor_sealed).not.toContain(second.refreshToken);
      expect(Buffer.from(row!.successor_sealed, 'base64url').toString('latin1')).not.toContain(second.refreshToken);
      await stored.query(`UPDATE refresh_tokens SET used_at = used_at - interval '1 minute' WHERE token_hash = $1`, [
        digest,
      ]);
    } finally {
      await stored.destroy();
    }
    await start(Number(new URL(service.url).port));

    expect(codes(await refresh(first.refreshToken))).toEqual(['UNAUTHENTICATED']);
    // The replay ended the session: its live token stops working too.
    const after = await refresh(second.refreshToken);
    expect(codes(after)).toEqual(['UNAUTHENTICATED']);
    expect(after.errors![0]!.message).toMatch(/session has ended/);
  }, 60_000);

  it('refuses a used refresh token after logout, even within the grace period', async () => {
    const first = (await register({ email: 'leaver@example.com', handle: 'leaver' })).data!.register;
    const second = (await refresh(first.refreshToken)).data!.refreshSession;
    const logout = await gql<{ logout: boolean }>(
      service.graphqlUrl,
      'mutation($t: String!) { logout(refreshToken: $t) }',
      {
        t: second.refreshToken,
      },
    );
    expect(logout.data!.logout).toBe(true);
    expect(codes(await refresh(first.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await refresh(second.refreshToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('stores an argon2id hash and only digests of refresh tokens, and keeps its key across a restart', async () => {
    const account = (await register({ email: 'stored@example.com', handle: 'stored' })).data!.register;
    const kid = (await jwks()).keys[0]!.kid;
    await whileStopped(async (stored) => {
      const [credential] = (await stored.query(
        `SELECT password_hash FROM credentials WHERE email = 'stored@example.com'`,
      )) as {
        password_hash: string;
      }[];
      expect(credential!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(credential!.password_hash).not.toContain(PASSWORD);
      const digest = createHash('sha256').update(account.refreshToken).digest('hex');
      expect(
        await stored.query(`SELECT count(*)::int AS n FROM refresh_tokens WHERE token_hash = $1`, [digest]),
      ).toEqual([{ n: 1 }]);
      expect(
        await stored.query(`SELECT count(*)::int AS n FROM refresh_tokens WHERE token_hash = $1`, [
          account.refreshToken,
        ]),
      ).toEqual([{ n: 0 }]);
    });
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([kid]);
    expect(await verifier()(`Bearer ${account.accessToken}`)).toMatchObject({ id: account.user.id });
    expect((await refresh(account.refreshToken)).errors).toBeUndefined();
  }, 60_000);

  it('rotates keys: the newer signs, both are published, and verifiers refetch on the unknown kid', async () => {
    const verify = verifier();
    const old = (await register({ email: 'rotation@example.com', handle: 'rotation' })).data!.register;
    expect(await verify(`Bearer ${old.accessToken}`)).toMatchObject({ id: old.user.id });
    const oldKid = (await jwks()).keys[0]!.kid;
    const next = await newSigningKey();
    await whileStopped(async (stored) => {
      await stored.query(`INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)`, [
        next.kid,
        JSON.stringify(next.privateJwk),
        JSON.stringify(next.publicJwk),
      ]);
    });
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([next.kid, oldKid]);
    const fresh = (await refresh(old.refreshToken)).data!.refreshSession;
    expect(decodeProtectedHeader(fresh.accessToken).kid).toBe(next.kid);
    // The verifier holds the old set; the unknown kid makes it fetch the new one.
    expect(await verify(`Bearer ${fresh.accessToken}`)).toMatchObject({ id: old.user.id });
    expect(await verify(`Bearer ${old.accessToken}`)).toMatchObject({ id: old.user.id });
  }, 60_000);

  describe('keys retired and refresh tokens aged while it was stopped', () => {
    // One restart for both tests below: the stored state is changed, then the service starts on it.
    let user: { id: string };
    let signing: string[];
    let lapsing: string;
    let lapsed: string;
    let storedLifeDays: number;
    // Retired 14 minutes ago: tokens it signed may still be alive (they live 15 minutes).
    let recent: SigningKey;
    // Retired 16 minutes ago: every token it signed has expired.
    let old: SigningKey;
    // The newest key of all, retired a moment ago: the signer must skip it.
    let newest: SigningKey;
    const digest = (token: string) => createHash('sha256').update(token).digest('hex');

    beforeAll(async () => {
      const registered = (await register({ email: 'retire@example.com', handle: 'retire' })).data!.register;
      user = registered.user;
      lapsing = registered.refreshToken;
      lapsed = (await register({ email: 'lapsed@example.com', handle: 'lapsed' })).data!.register.refreshToken;
      signing = (await jwks()).keys.map((k) => k.kid!);
      [recent, old, newest] = [await newSigningKey(), await newSigningKey(), await newSigningKey()];
      const insert = `INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at, retired_at)
        VALUES ($1, $2, $3, now() + make_interval(mins => $4), now() - make_interval(mins => $5))`;
      await whileStopped(async (stored) => {
        for (const [key, createdMinutes, retiredMinutesAgo] of [
          [recent, -60, 14],
          [old, -60, 16],
          [newest, 1, 0],
        ] as const) {
          const jwks = [JSON.stringify(key.privateJwk), JSON.stringify(key.publicJwk)];
          await stored.query(insert, [key.kid, ...jwks, createdMinutes, retiredMinutesAgo]);
        }
        const [life] = (await stored.query(
          `SELECT extract(epoch FROM expires_at - now()) / 86400 AS days FROM refresh_tokens WHERE token_hash = $1`,
          [digest(lapsing)],
        )) as { days: number | string }[];
        storedLifeDays = Number(life!.days);
        // To the edge of their life: one a minute before it ends, the other a second after.
        const age = `UPDATE refresh_tokens SET expires_at = now() + make_interval(secs => $2) WHERE token_hash = $1`;
        await stored.query(age, [digest(lapsing), 60]);
        await stored.query(age, [digest(lapsed), -1]);
      });
    }, 60_000);

    it('retires keys: a retired key never signs, and is published for one token lifetime after, then not', async () => {
      expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([...signing, recent.kid, newest.kid].sort());
      const signedNow = (await register({ email: 'after-retire@example.com', handle: 'after_retire' })).data!.register;
      expect(decodeProtectedHeader(signedNow.accessToken).kid).toBe(signing[0]);
      const verify = verifier();
      expect(await verify(await signedBy(recent, user.id))).toMatchObject({ id: user.id });
      expect(await verify(await signedBy(newest, user.id))).toMatchObject({ id: user.id });
      await refused(verify(await signedBy(old, user.id)));
    });

    it('accepts a refresh token until its 30 days are over, and refuses it after', async () => {
      expect(storedLifeDays).toBeGreaterThan(29.99);
      expect(storedLifeDays).toBeLessThanOrEqual(30);
      expect((await refresh(lapsing)).errors).toBeUndefined();
      const expired = await refresh(lapsed);
      expect(codes(expired)).toEqual(['UNAUTHENTICATED']);
      expect(expired.errors![0]!.message).toMatch(/expired/);
    });
  });
}

describe('auth subgraph on PGlite', () => {
  authSuite(async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'agora-auth-')), drop: async () => {} }));
});

describeWithService('DATABASE_URL', 'auth subgraph on PostgreSQL', (serverUrl) => {
  authSuite(() => freshDatabase(serverUrl));
});
