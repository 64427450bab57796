/**
 * The server-side step that makes an account admin (or takes the role back). Admin rights
 * are never claimed by registering: an operator with access to the auth database grants
 * them to an existing account.
 *
 *   npm run admin:grant -- <email>            grant admin to the account with this email
 *   npm run admin:grant -- --revoke <email>   take it back
 *
 * It opens auth's database as the service does: PostgreSQL when DATABASE_URL is set (safe
 * while the services run), else embedded mode's PGlite under DATA_DIR (default .data),
 * which only one process may open: stop `npm start` first (this refuses while the auth
 * port, PORT_AUTH or 4002, answers). The role is in the account's tokens from its next
 * login or refresh; a revoked admin keeps it until its access token expires (15 minutes).
 */
import { z } from 'zod';
import { commonEnv, loadConfig, port } from '@agora/kit/config';
import { openDatabase } from '@agora/kit/db/datasource';
import { outboxMigrations } from '@agora/kit/outbox';
import { subgraphEntry } from '@agora/contracts/subgraphs';
import { normalizeEmail } from './domain/credentials';
import { migrations } from './store/migrations';
import { RoleStore, type GrantResult } from './store/roles';

const MESSAGES: Record<GrantResult, string> = {
  granted: 'granted the admin role (it applies from the next login or token refresh)',
  already: 'already has the admin role',
  revoked: 'no longer has the admin role (tokens issued before keep it until they expire)',
  'not-granted': 'did not have the admin role',
  'no-account': 'no account has this email: the user must register first',
};

/** Grants (or revokes) admin to the account with `email`, in the auth database given. */
export async function changeAdmin(options: {
  email: string;
  revoke?: boolean;
  databaseUrl?: string;
  dataDir?: string;
}): Promise<{ result: GrantResult; message: string }> {
  const email = normalizeEmail(options.email);
  const db = await openDatabase({
    service: 'auth',
    url: options.databaseUrl,
    dataDir: options.dataDir,
    entities: [],
    migrations: [...outboxMigrations, ...migrations],
  });
  try {
    const roles = new RoleStore(db);
    const result = options.revoke ? await roles.revoke(email, 'admin') : await roles.grant(email, 'admin');
    return { result, message: `${email}: ${MESSAGES[result]}` };
  } finally {
    await db.destroy();
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const revoke = argv.includes('--revoke');
  const email = argv.find((arg) => !arg.startsWith('--'));
  if (!email) {
    console.error('usage: npm run admin:grant -- [--revoke] <email>');
    return 2;
  }
  const config = loadConfig(
    z.object({
      DATABASE_URL: commonEnv.DATABASE_URL,
      DATA_DIR: commonEnv.DATA_DIR,
      // The embedded stack's auth port (PORT_AUTH, as it reads it).
      PORT_AUTH: port(subgraphEntry('auth').port),
    }),
  );
  if (!config.DATABASE_URL && (await answers(`http://127.0.0.1:${config.PORT_AUTH}/healthz`))) {
    console.error(
      `The embedded stack is running on ${config.DATA_DIR} (auth answers on port ${config.PORT_AUTH}); ` +
        'its database opens in one process only. Stop it, run this again, then start it.',
    );
    return 1;
  }
  try {
    const { result, message } = await changeAdmin({
      email,
      revoke,
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
    });
    console.log(message);
    return result === 'no-account' ? 1 : 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
