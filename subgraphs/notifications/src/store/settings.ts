import type { DataSource, EntityManager } from 'typeorm';
import { applyKindChanges, type KindSettingInput, type StoredKinds } from '../domain/kinds';

type Queryable = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

export interface SettingsRecord {
  userId: string;
  kinds: StoredKinds;
  dailyDigest: boolean;
}

const parse = (value: unknown): StoredKinds =>
  (typeof value === 'string' ? JSON.parse(value) : (value ?? {})) as StoredKinds;

/** Each user's notification settings; a user who never changed them has the defaults. */
export class SettingsStore {
  constructor(private readonly db: DataSource) {}

  async read(userId: string, q: Queryable = this.db): Promise<SettingsRecord> {
    const rows = (await q.query(`SELECT kinds, daily_digest FROM settings WHERE user_id = $1`, [userId])) as {
      kinds: unknown;
      daily_digest: boolean;
    }[];
    return { userId, kinds: parse(rows[0]?.kinds), dailyDigest: rows[0]?.daily_digest ?? false };
  }

  /** Applies the changes given (validated first: a bad input changes nothing). */
  async update(
    userId: string,
    input: { kinds?: readonly KindSettingInput[] | null; dailyDigest?: boolean | null },
  ): Promise<SettingsRecord> {
    return this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO settings (user_id) VALUES ($1) ON CONFLICT DO NOTHING`, [userId]);
      await tx.query(`SELECT 1 FROM settings WHERE user_id = $1 FOR UPDATE`, [userId]);
      const current = await this.read(userId, tx);
      const kinds = applyKindChanges(current.kinds, input.kinds ?? []);
      const dailyDigest = input.dailyDigest ?? current.dailyDigest;
      await tx.query(`UPDATE settings SET kinds = $2, daily_digest = $3 WHERE user_id = $1`, [
        userId,
        JSON.stringify(kinds),
        dailyDigest,
      ]);
      return { userId, kinds, dailyDigest };
    });
  }
}
