import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_KEY_CHECK_PATH } from '@agora/kit/auth';
import { GATEWAY_SIGNATURE_HEADER, verifyGatewaySignature } from '@agora/kit/gateway-trust';
import { HttpError, readBody, sendJson } from '@agora/kit/http';
import type { RunningService, ServiceDefinition } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
import { AccessTokens } from './access-tokens';
import { Accounts } from './accounts';
import { ApiKeys } from './api-keys';
import { authSettings } from './config';
import { EmailVerifications } from './email-verification';
import type { Context } from './context';
import { LoginLimiter } from './login-limiter';
import { RegistrationLimiter } from './registration-limiter';
import { resolvers } from './resolvers';
import { ApiKeyStore } from './store/api-keys';
import { CredentialStore } from './store/credentials';
import { migrations } from './store/migrations';
import { RoleStore, type GrantResult } from './store/roles';
import { normalizeEmail } from './domain/credentials';
import { SessionStore } from './store/sessions';
import { SigningKeyStore } from './store/signing-keys';

/** Where the gateway and the subgraphs fetch the public keys that verify access tokens. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * The auth subgraph: accounts, sessions, API keys, token signing and the JWKS. Wiring only.
 * Env: see config.ts (REFRESH_GRACE_SECONDS, registration limits). Roles: granted server-side
 * (`npm run admin:grant -- <email>`, src/admin-grant.ts).
 */
export const authService: ServiceDefinition = {
  name: 'auth',
  async start(runtime) {
    const store = await openServiceStore({ ...runtime, events: runtime.infra.events }, { service: 'auth', migrations });
    const { db, outbox } = store;
    const settings = authSettings();
    const roles = new RoleStore(db);
    const tokens = await AccessTokens.open(new SigningKeyStore(db));
    const verifications = new EmailVerifications(db, outbox);
    const accounts = new Accounts(
      db,
      outbox,
      new CredentialStore(db),
      new SessionStore(db, settings.refreshGraceMs),
      tokens,
      new LoginLimiter(runtime.infra.cache, runtime.log),
      roles,
      new RegistrationLimiter(
        runtime.infra.cache,
        { points: settings.registrationsPerAddress, windowSeconds: settings.registrationWindowSeconds },
        runtime.log,
      ),
      verifications,
    );
    const apiKeys = new ApiKeys(new ApiKeyStore(db), tokens, roles);
    const server = await serveSubgraph<Context>(runtime, {
      name: 'auth',
      db,
      resolvers,
      context: (base) => ({ ...base, accounts, apiKeys, verifications }),
      routes: {
        [API_KEY_CHECK_PATH]: (req, res) => checkApiKey(req, res, apiKeys, runtime.gatewaySecret),
        [JWKS_PATH]: async (_req, res) => {
          // Verifiers cache it and refetch on an unknown kid; a short max-age keeps rotation quick.
          res.setHeader('cache-control', 'public, max-age=300');
          sendJson(res, 200, await tokens.jwks());
        },
      },
    });
    const admin: AdminRoles = {
      grant: (email) => roles.grant(normalizeEmail(email), 'admin'),
      revoke: (email) => roles.revoke(normalizeEmail(email), 'admin'),
    };
    return {
      ...server,
      admin,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  },
};

/**
 * The running auth service's own handle on roles: what `npm run admin:grant` does through the
 * database, for a process that hosts the service (the embedded stack in tests).
 */
export interface AdminRoles {
  grant(email: string): Promise<GrantResult>;
  revoke(email: string): Promise<GrantResult>;
}

/** The AdminRoles of a running auth service (undefined for any other service). */
export const adminRolesOf = (service: RunningService): AdminRoles | undefined =>
  (service as RunningService & { admin?: AdminRoles }).admin;

/**
 * The gateway's check of an API key (see API_KEY_CHECK_PATH): answered only to requests
 * signed with the gateway secret, so the endpoint is no oracle for key guessing.
 */
async function checkApiKey(
  req: IncomingMessage,
  res: ServerResponse,
  apiKeys: ApiKeys,
  secret: string | undefined,
): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
  const body = await readBody(req, 4_096);
  if (!verifyGatewaySignature(secret, body, req.headers[GATEWAY_SIGNATURE_HEADER])) {
    return sendJson(res, 403, { error: 'not signed by the gateway' });
  }
  let key: unknown;
  try {
    key = (JSON.parse(body) as { key?: unknown }).key;
  } catch {
    throw new HttpError(400, 'body must be JSON');
  }
  const checked = typeof key === 'string' ? await apiKeys.check(key) : null;
  if (!checked) return sendJson(res, 401, { error: 'invalid, expired or revoked API key' });
  res.setHeader('cache-control', 'no-store');
  sendJson(res, 200, checked);
}
