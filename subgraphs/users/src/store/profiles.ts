import type { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '@agora/kit/db/sql';
import { isUuid } from '@agora/kit/ids';
import type { Outbox } from '@agora/kit/outbox';
import { eventually } from '@agora/kit/replica';
import type { ProfileChanges } from '../domain/profile';
import { profileUpdated, TOPICS } from '../events/topics';

/** A profile as stored; the GraphQL User maps to it (codegen mapper). */
export interface ProfileRecord {
  id: string;
  handle: string;
  displayName: string;
  bio: string;
  createdAt: Date;
  followerCount: number;
  followingCount: number;
}

/** The select list every profile read uses, with `p` the profiles alias. */
export const PROFILE_COLUMNS = `p.id, p.handle, p.display_name, p.bio, p.created_at, p.follower_count, p.following_count`;

export interface ProfileRow {
  id: string;
  handle: string;
  display_name: string;
  bio: string;
  created_at: Date | string;
  follower_count: number;
  following_count: number;
}

export const toProfile = (row: ProfileRow): ProfileRecord => ({
  id: row.id,
  handle: row.handle,
  displayName: row.display_name,
  bio: row.bio,
  createdAt: new Date(row.created_at),
  followerCount: Number(row.follower_count),
  followingCount: Number(row.following_count),
});

/** Profiles: created from auth's registrations, edited by their owner. */
export class ProfileStore {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** One query for a whole batch; ids that are not UUIDs name nobody. */
  async byIds(ids: readonly string[], db: DataSource | EntityManager = this.db): Promise<ProfileRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = (await db.query(`SELECT ${PROFILE_COLUMNS} FROM profiles p WHERE p.id = ANY($1::uuid[])`, [
      valid,
    ])) as ProfileRow[];
    return rows.map(toProfile);
  }

  /**
   * Profiles of accounts known to exist (a token's subject, a reference from another
   * subgraph): one registered a moment ago may still be on its way through auth's event,
   * so missing ones are looked for again until `timeoutMs`.
   */
  async byRegisteredIds(ids: readonly string[], timeoutMs: number): Promise<ProfileRecord[]> {
    const found: ProfileRecord[] = [];
    let missing = ids.filter(isUuid);
    await eventually(
      async () => {
        const rows = await this.byIds(missing);
        found.push(...rows);
        const seen = new Set(rows.map((row) => row.id));
        missing = missing.filter((id) => !seen.has(id));
        return missing.length === 0 ? true : null;
      },
      { timeoutMs },
    );
    return found;
  }

  async byHandles(handles: readonly string[]): Promise<ProfileRecord[]> {
    if (handles.length === 0) return [];
    const rows = (await this.db.query(`SELECT ${PROFILE_COLUMNS} FROM profiles p WHERE p.handle = ANY($1::text[])`, [
      handles,
    ])) as ProfileRow[];
    return rows.map(toProfile);
  }

  /** Idempotent: a registration seen twice creates one profile. */
  async createRegistered(
    tx: EntityManager,
    user: { id: string; handle: string; displayName: string; registeredAt: string },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO profiles (id, handle, display_name, created_at)
       VALUES ($1, $2, $3, date_trunc('milliseconds', $4::timestamptz))
       ON CONFLICT (id) DO NOTHING`,
      [user.id, user.handle, user.displayName, user.registeredAt],
    );
  }

  /** Applies `changes` to the profile and emits user.profile-updated; null when it does not exist. */
  async update(id: string, changes: ProfileChanges): Promise<ProfileRecord | null> {
    return this.outbox.transaction(async (tx, emit) => {
      const [row] = await sqlRows<ProfileRow>(
        tx,
        `UPDATE profiles p SET display_name = COALESCE($2, p.display_name), bio = COALESCE($3, p.bio)
          WHERE p.id = $1 RETURNING ${PROFILE_COLUMNS}`,
        [id, changes.displayName ?? null, changes.bio ?? null],
      );
      if (!row) return null;
      const profile = toProfile(row);
      emit(TOPICS.profiles, profileUpdated(profile));
      return profile;
    });
  }
}
