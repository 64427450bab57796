import type { DataSource, EntityManager } from 'typeorm';
import type { GrantableRole } from '../domain/roles';

export type GrantResult = 'granted' | 'already' | 'revoked' | 'not-granted' | 'no-account';

/** Roles granted to accounts (table account_roles): written only by the server-side grant step. */
export class RoleStore {
  constructor(private readonly db: DataSource) {}

  /** `tx`: when asked inside a transaction (which, on PGlite, holds the only connection). */
  async of(userId: string, tx?: EntityManager): Promise<string[]> {
    const rows = (await (tx ?? this.db).query(`SELECT role FROM account_roles WHERE user_id = $1`, [userId])) as {
      role: string;
    }[];
    return rows.map((r) => r.role);
  }

  /** Grants `role` to the account with this (normalised) email. */
  async grant(email: string, role: GrantableRole): Promise<GrantResult> {
    const userId = await this.userIdOf(email);
    if (!userId) return 'no-account';
    const rows = (await this.db.query(
      `INSERT INTO account_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, role],
    )) as unknown[];
    return rows.length > 0 ? 'granted' : 'already';
  }

  async revoke(email: string, role: GrantableRole): Promise<GrantResult> {
    const userId = await this.userIdOf(email);
    if (!userId) return 'no-account';
    const rows = (await this.db.query(`DELETE FROM account_roles WHERE user_id = $1 AND role = $2 RETURNING user_id`, [
      userId,
      role,
    ])) as unknown[];
    return rows.length > 0 ? 'revoked' : 'not-granted';
  }

  private async userIdOf(email: string): Promise<string | undefined> {
    const rows = (await this.db.query(`SELECT user_id FROM credentials WHERE email = $1`, [email])) as {
      user_id: string;
    }[];
    return rows[0]?.user_id;
  }
}
