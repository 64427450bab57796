import { Identity1700000000000 } from './1700000000000-identity';
import { ApiKeys1700000000001 } from './1700000000001-api-keys';
import { RefreshGrace1763000000000 } from './1763000000000-refresh-grace';
import { EmailVerification1764000000000 } from './1764000000000-email-verification';
import { AccountRoles1764000000001 } from './1764000000001-account-roles';

/** In order; never edit a migration that has shipped, add a new one. */
export const migrations = [
  Identity1700000000000,
  ApiKeys1700000000001,
  RefreshGrace1763000000000,
  EmailVerification1764000000000,
  AccountRoles1764000000001,
];
