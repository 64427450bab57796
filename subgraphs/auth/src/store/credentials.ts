import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '@agora/kit/db/datasource';
import { conflict } from '@agora/kit/errors';

export interface CredentialRecord {
  userId: string;
  email: string;
  handle: string;
  passwordHash: string;
}

interface CredentialRow {
  user_id: string;
  email: string;
  handle: string;
  password_hash: string;
}

const toRecord = (row: CredentialRow): CredentialRecord => ({
  userId: row.user_id,
  email: row.email,
  handle: row.handle,
  passwordHash: row.password_hash,
});

/** Accounts: normalised email and handle (both unique), argon2id password hash. */
export class CredentialStore {
  constructor(private readonly db: DataSource) {}

  /** Inserts an account within `tx`; CONFLICT when its email or handle is taken. Returns the new user id. */
  async insert(tx: EntityManager, account: { email: string; handle: string; passwordHash: string }): Promise<string> {
    try {
      const rows = (await tx.query(
        `INSERT INTO credentials (email, handle, password_hash) VALUES ($1, $2, $3) RETURNING user_id`,
        [account.email, account.handle, account.passwordHash],
      )) as { user_id: string }[];
      return rows[0]!.user_id;
    } catch (error) {
      if (isUniqueViolation(error, 'credentials_email_unique')) {
        throw conflict('An account with this email already exists', 'email');
      }
      if (isUniqueViolation(error, 'credentials_handle_unique')) throw conflict('This handle is taken', 'handle');
      throw error;
    }
  }

  async byEmail(email: string): Promise<CredentialRecord | null> {
    const rows = (await this.db.query(
      `SELECT user_id, email, handle, password_hash FROM credentials WHERE email = $1`,
      [email],
    )) as CredentialRow[];
    return rows[0] ? toRecord(rows[0]) : null;
  }
}
