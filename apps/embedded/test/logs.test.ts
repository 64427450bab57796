/**
 * What the logs hold after the security scenarios: run against a whole embedded stack
 * (`npm start`'s process, at debug level), then every line it printed is scanned. No e-mail
 * address, password, password hash or token may appear; expected refusals (bad input,
 * conflicts, wrong passwords, bad tokens) log no error line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBGRAPHS, portEnvOf } from '@agora/contracts/subgraphs';
import { codes, gql, spawnTsx, waitFor, type Spawned } from '@agora/kit/testing';

describe('logs after the security scenarios', () => {
  let stack: Spawned;
  let url: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'agora-logs-'));
  const ports = Object.fromEntries(SUBGRAPHS.map((s) => [portEnvOf(s.name), '0']));

  beforeAll(async () => {
    stack = spawnTsx('apps/embedded/src/main.ts', {
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'debug',
      WEB_ROOT: '/nonexistent',
      // No grace period: the second use of a refresh token below is a replay at once.
      REFRESH_GRACE_SECONDS: '0',
      ...ports,
    });
    const line = await waitFor(
      'the stack up',
      () => {
        if (stack.child.exitCode !== null) throw new Error(stack.lines.slice(-20).join('\n'));
        return stack.lines.find((l) => l.trim().startsWith('GraphQL'));
      },
      120_000,
    );
    url = /(http:\/\/\S+\/graphql)/.exec(line!)![1]!;
  }, 150_000);

  afterAll(async () => {
    stack?.kill('SIGTERM');
    await stack?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hold no personal data or secrets, and no error line for an expected refusal', async () => {
    const email = 'grace.hopper@example.org';
    const password = 'Cobol-Rules-1959';
    const register = (input: Record<string, unknown>) =>
      gql<{ register: { accessToken: string; refreshToken: string } }>(
        url,
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken } }',
        { input },
      );
    const login = (input: Record<string, unknown>) =>
      gql<{ login: { accessToken: string } }>(
        url,
        'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
        {
          input,
        },
      );

    const first = await register({ email, password, handle: 'grace' });
    expect(first.errors).toBeUndefined();
    const { accessToken, refreshToken } = first.data!.register;
    const secrets = [email, password, accessToken, refreshToken, 'argon2', 'wrong-Password-99', 'nobody@example.net'];

    expect(codes(await register({ email, password, handle: 'grace2' }))).toEqual(['CONFLICT']);
    expect(codes(await register({ email: 'x@example.org', password: 'short', handle: 'x_y' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    for (let i = 0; i < 3; i++)
      expect(codes(await login({ email, password: 'wrong-Password-99' }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await login({ email: 'nobody@example.net', password }))).toEqual(['UNAUTHENTICATED']);
    expect((await login({ email, password })).errors).toBeUndefined();
    const refresh = (token: string) =>
      gql(url, 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }', { t: token });
    expect((await refresh(refreshToken)).errors).toBeUndefined();
    expect(codes(await refresh(refreshToken))).toEqual(['UNAUTHENTICATED']); // a replay ends the session
    const forged = `${accessToken.split('.').slice(0, 2).join('.')}.AAAA`;
    expect((await gql(url, '{ me { id } }', {}, { authorization: `Bearer ${forged}` })).status).toBe(401);
    expect((await gql(url, '{ me { id } }', {}, { authorization: 'Bearer not-a-jwt' })).status).toBe(401);
    expect(codes(await gql(url, '{ nope }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    // Let the last lines arrive.
    await new Promise((done) => setTimeout(done, 500));
    const text = stack.lines.join('\n');
    expect(stack.lines.length).toBeGreaterThan(20); // debug level: one line per subgraph request at least
    for (const secret of secrets) expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.(org|net|com)\b/);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    const errors = stack.logs().filter((l) => Number(l.level) >= 50);
    expect(errors).toEqual([]);
  }, 120_000);
});
