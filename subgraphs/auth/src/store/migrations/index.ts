import { Identity1700000000000 } from './1700000000000-identity';
import { EmailVerification1764000000000 } from './1764000000000-email-verification';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations = [Identity1700000000000, EmailVerification1764000000000];
