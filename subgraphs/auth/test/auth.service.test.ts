import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, decodeProtectedHeader, type JWK } from 'jose';
import { remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import { openDatabase } from '@agora/kit/db/datasource';
import type { EventEnvelope } from '@agora/kit/events/port';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import { outboxMigrations } from '@agora/kit/outbox';
import type { RunningService } from '@agora/kit/service';
import { sleep, waitFor, testTokens, freshDatabase, describeWithService, codes, gql } from '@agora/kit/testing';
import { newSigningKey } from '../src/access-tokens';
import { JWKS_PATH, authService } from '../src/service';
import { migrations } from '../src/store/migrations';

const PASSWORD = 'Quite-long-secret-42';
/** remoteKeys (kit/auth.ts) refetches a JWKS at most this often. */
const REMOTE_JWKS_COOLDOWN_MS = 5_000;
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
  const verifier = () => tokenIdentifier(remoteKeys(`${service.url}${JWKS_PATH}`));

  beforeAll(async () => {
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
    expect(await verifier()(`Bearer ${root.accessToken}`)).toEqual({ id: root.user.id, roles: ['user', 'admin'] });
    expect(await verifier()(`Bearer ${plain.accessToken}`)).toEqual({ id: plain.user.id, roles: ['user'] });
  });

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
    await service.close();

    const stored = await openDatabase({
      service: 'auth',
      url: db.url,
      dataDir: db.dataDir,
      entities: [],
      migrations: [...outboxMigrations, ...migrations],
    });
    try {
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
    } finally {
      await stored.destroy();
    }

    await start(Number(new URL(service.url).port));
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([kid]);
    expect(await verifier()(`Bearer ${account.accessToken}`)).toMatchObject({ id: account.user.id });
    expect((await refresh(account.refreshToken)).errors).toBeUndefined();
  }, 60_000);

  it('rotates keys: the newer signs, both are published, and verifiers refetch on the unknown kid', async () => {
    const verify = verifier();
    const old = (await register({ email: 'rotation@example.com', handle: 'rotation' })).data!.register;
    expect(await verify(`Bearer ${old.accessToken}`)).toMatchObject({ id: old.user.id });
    const oldKid = (await jwks()).keys[0]!.kid;
    await service.close();

    const stored = await openDatabase({
      service: 'auth',
      url: db.url,
      dataDir: db.dataDir,
      entities: [],
      migrations: [...outboxMigrations, ...migrations],
    });
    const next = await newSigningKey();
    await stored.query(`INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)`, [
      next.kid,
      JSON.stringify(next.privateJwk),
      JSON.stringify(next.publicJwk),
    ]);
    await stored.destroy();

    await start(Number(new URL(service.url).port));
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([next.kid, oldKid]);
    const fresh = (await refresh(old.refreshToken)).data!.refreshSession;
    expect(decodeProtectedHeader(fresh.accessToken).kid).toBe(next.kid);
    // The verifier cached the old set; it may refetch once its cooldown between fetches is over.
    await sleep(REMOTE_JWKS_COOLDOWN_MS + 100);
    expect(await verify(`Bearer ${fresh.accessToken}`)).toMatchObject({ id: old.user.id });
    expect(await verify(`Bearer ${old.accessToken}`)).toMatchObject({ id: old.user.id });
  }, 60_000);
}

describe('auth subgraph on PGlite', () => {
  authSuite(async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'agora-auth-')), drop: async () => {} }));
});

describeWithService('DATABASE_URL', 'auth subgraph on PostgreSQL', (serverUrl) => {
  authSuite(() => freshDatabase(serverUrl));
});
