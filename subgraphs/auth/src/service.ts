import { openDatabase } from '@agora/kit/db/datasource';
import { sendJson } from '@agora/kit/http';
import { Outbox, outboxMigrations } from '@agora/kit/outbox';
import { loadSubgraphSchema } from '@agora/kit/paths';
import type { ServiceDefinition } from '@agora/kit/service';
import { startSubgraphServer } from '@agora/kit/subgraph';
import { AccessTokens } from './access-tokens';
import { Accounts } from './accounts';
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
    const db = await openDatabase({
      service: 'auth',
      url: runtime.databaseUrl,
      dataDir: runtime.dataDir,
      entities: [],
      migrations: [...outboxMigrations, ...migrations],
    });
    const outbox = new Outbox(db, runtime.infra.events, runtime.log);
    outbox.start();
    const tokens = await AccessTokens.open(new SigningKeyStore(db));
    const accounts = new Accounts(
      db,
      outbox,
      new CredentialStore(db),
      new SessionStore(db),
      tokens,
      new LoginLimiter(runtime.infra.cache),
      parseAdminEmails(process.env.ADMIN_EMAILS),
    );
    const server = await startSubgraphServer<Context>({
      name: 'auth',
      host: runtime.host,
      port: runtime.port,
      log: runtime.log,
      maxBodyBytes: runtime.maxBodyBytes,
      identify: runtime.identify,
      typeDefs: loadSubgraphSchema('auth'),
      resolvers,
      context: (base) => ({ ...base, accounts }),
      ready: async () => await db.query('SELECT 1').then(() => true),
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
        await outbox.stop();
        await db.destroy();
      },
    };
  },
};
