import { randomBytes } from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';

/** argon2id with OWASP's baseline cost (19 MiB, 2 passes); the parameters travel in each hash. */
const ARGON2ID: Options = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, ARGON2ID);

/** Hash of a random secret, for checking passwords of accounts that do not exist. */
let decoy: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. Without one (unknown email) it does the same
 * argon2 work against a decoy and fails, so timing does not tell whether an account exists.
 */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  const target = storedHash ?? (await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
  const matches = await verify(target, password);
  return matches && storedHash !== undefined;
}
