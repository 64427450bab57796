import { sendJson } from '@agora/kit/http';
import type { ServiceDefinition } from '@agora/kit/service';
import { openServiceStore } from '@agora/kit/service-store';
import { serveSubgraph } from '@agora/kit/subgraph';
import { AccessTokens } from './access-tokens';
import { Accounts } from './accounts';
import { EmailVerifications } from './email-verification';
import type { Context } from './context';
import { parseAdminEmails } from './domain/roles';
import { LoginLimiter } from './login-limiter';
import { resolvers } from './resolvers';
import { CredentialStore } from './store/credentials';
import { migrations } from './store/migrations';
import { SessionStore } from './store/sessions';
import { SigningKeyStore } from './store/signing-keys';

/** Where the gateway and the subgraphs fetch the public keys that verify access tokens. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * The auth subgraph: accounts, sessions, token signing and the JWKS. Wiring only.
 * Env: ADMIN_EMAILS (comma-separated; those accounts get the admin role).
 */
export const authService: ServiceDefinition = {
  name: 'auth',
  async start(runtime) {
    const store = await openServiceStore({ ...runtime, events: runtime.infra.events }, { service: 'auth', migrations });
    const { db, outbox } = store;
    const tokens = await AccessTokens.open(new SigningKeyStore(db));
    const verifications = new EmailVerifications(db, outbox);
    const accounts = new Accounts(
      db,
      outbox,
      new CredentialStore(db),
      new SessionStore(db),
      tokens,
      new LoginLimiter(runtime.infra.cache),
      parseAdminEmails(process.env.ADMIN_EMAILS),
      verifications,
    );
    const server = await serveSubgraph<Context>(runtime, {
      name: 'auth',
      db,
      resolvers,
      context: (base) => ({ ...base, accounts, verifications }),
      routes: {
        [JWKS_PATH]: async (_req, res) => {
          // Verifiers cache it and refetch on an unknown kid; a short max-age keeps rotation quick.
          res.setHeader('cache-control', 'public, max-age=300');
          sendJson(res, 200, await tokens.jwks());
        },
      },
    });
    return {
      ...server,
      close: async () => {
        await server.close();
        await store.close();
      },
    };
  },
};
