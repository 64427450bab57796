import type { DataSource, EntityManager } from 'typeorm';
import { badInput, forbidden, notFound } from '@agora/kit/errors';
import { isUuid } from '@agora/kit/ids';
import type { Emit, Outbox } from '@agora/kit/outbox';
import { decodeCursor, toConnection, type Connection, type Cursor } from '@agora/kit/pagination';
import { relationEvent, TOPICS } from '../events/topics';
import { PROFILE_COLUMNS, toProfile, type ProfileRecord, type ProfileRow, type ProfileStore } from './profiles';

/** One entry of a followers/following list: the other user and when the follow began. */
export interface FollowEdge {
  profile: ProfileRecord;
  followedAt: Date;
}

/**
 * Follow and block relations. Every change between two users locks both profile rows
 * (in id order, so two changes never deadlock), then changes the edges and both users'
 * counts and stores the event, in one transaction: counts always equal the edges, and a
 * follow cannot slip in beside a concurrent block.
 */
export class RelationStore {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
    private readonly profiles: ProfileStore,
  ) {}

  /** Follows `targetId`; already following is a no-op. FORBIDDEN when either has blocked the other. */
  follow(actorId: string, targetId: string): Promise<ProfileRecord> {
    return this.change(actorId, targetId, async (tx, emit) => {
      const blocked = (await tx.query(
        `SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)`,
        [actorId, targetId],
      )) as unknown[];
      if (blocked.length > 0) throw forbidden('You cannot follow this user');
      const added = (await tx.query(
        `INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING follower_id`,
        [actorId, targetId],
      )) as unknown[];
      if (added.length === 0) return;
      await countFollow(tx, actorId, targetId, +1);
      emit(TOPICS.relations, relationEvent('user.followed', actorId, targetId));
    });
  }

  /** Not following is a no-op. */
  unfollow(actorId: string, targetId: string): Promise<ProfileRecord> {
    return this.change(actorId, targetId, async (tx, emit) => {
      if ((await removeFollows(tx, [[actorId, targetId]])) === 0) return;
      emit(TOPICS.relations, relationEvent('user.unfollowed', actorId, targetId));
    });
  }

  /** Blocks `targetId` and removes the follows between the two, both ways. Already blocked is a no-op. */
  block(actorId: string, targetId: string): Promise<ProfileRecord> {
    return this.change(actorId, targetId, async (tx, emit) => {
      const added = (await tx.query(
        `INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING blocker_id`,
        [actorId, targetId],
      )) as unknown[];
      if (added.length === 0) return;
      await removeFollows(tx, [
        [actorId, targetId],
        [targetId, actorId],
      ]);
      emit(TOPICS.relations, relationEvent('user.blocked', actorId, targetId));
    });
  }

  /** Not blocking is a no-op. Follows removed by the block are not restored. */
  unblock(actorId: string, targetId: string): Promise<ProfileRecord> {
    return this.change(actorId, targetId, async (tx, emit) => {
      const [, removed] = (await tx.query(`DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2`, [
        actorId,
        targetId,
      ])) as [unknown[], number];
      if (removed === 0) return;
      emit(TOPICS.relations, relationEvent('user.unblocked', actorId, targetId));
    });
  }

  /** Who follows `userId`, most recent follow first. */
  followers(userId: string, size: number, after?: string | null): Promise<Connection<FollowEdge>> {
    return this.page({ of: 'followee_id', other: 'follower_id' }, userId, size, after);
  }

  /** Whom `userId` follows, most recent follow first. */
  following(userId: string, size: number, after?: string | null): Promise<Connection<FollowEdge>> {
    return this.page({ of: 'follower_id', other: 'followee_id' }, userId, size, after);
  }

  /** Which of `ids` the viewer follows (one query for a batch). */
  async followedBy(viewerId: string, ids: readonly string[]): Promise<Set<string>> {
    const rows = (await this.db.query(
      `SELECT followee_id AS id FROM follows WHERE follower_id = $1 AND followee_id = ANY($2::uuid[])`,
      [viewerId, ids.filter(isUuid)],
    )) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }

  /** Which of `ids` the viewer has blocked (one query for a batch). */
  async blockedBy(viewerId: string, ids: readonly string[]): Promise<Set<string>> {
    const rows = (await this.db.query(
      `SELECT blocked_id AS id FROM blocks WHERE blocker_id = $1 AND blocked_id = ANY($2::uuid[])`,
      [viewerId, ids.filter(isUuid)],
    )) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }

  /** Locks both users, runs `work`, and answers the target as it is after the change. */
  private change(
    actorId: string,
    targetId: string,
    work: (tx: EntityManager, emit: Emit) => Promise<void>,
  ): Promise<ProfileRecord> {
    return this.outbox.transaction(async (tx, emit) => {
      const locked = (await tx.query(`SELECT id FROM profiles WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [
        [actorId, targetId],
      ])) as { id: string }[];
      if (!locked.some((row) => row.id === targetId)) throw notFound('No such user');
      if (!locked.some((row) => row.id === actorId)) throw notFound('Your profile does not exist yet');
      await work(tx, emit);
      const [target] = await this.profiles.byIds([targetId], tx);
      return target!;
    });
  }

  private async page(
    side: { of: 'followee_id' | 'follower_id'; other: 'follower_id' | 'followee_id' },
    userId: string,
    size: number,
    after?: string | null,
  ): Promise<Connection<FollowEdge>> {
    const cursor = validCursor(decodeCursor(after));
    const params: unknown[] = [userId, size + 1];
    let before = '';
    if (cursor) {
      params.push(cursor.at, cursor.id);
      before = `AND (f.created_at, p.id) < ($3::timestamptz, $4::uuid)`;
    }
    const rows = (await this.db.query(
      `SELECT ${PROFILE_COLUMNS}, f.created_at AS followed_at
         FROM follows f JOIN profiles p ON p.id = f.${side.other}
        WHERE f.${side.of} = $1 ${before}
        ORDER BY f.created_at DESC, p.id DESC
        LIMIT $2`,
      params,
    )) as (ProfileRow & { followed_at: Date | string })[];
    const edges = rows.map((row) => ({ profile: toProfile(row), followedAt: new Date(row.followed_at) }));
    return toConnection(edges, size, (edge) => ({ at: edge.followedAt.toISOString(), id: edge.profile.id }));
  }
}

/** Adds `delta` to the follower's following count and the followee's follower count. */
async function countFollow(tx: EntityManager, followerId: string, followeeId: string, delta: number): Promise<void> {
  await tx.query(`UPDATE profiles SET following_count = following_count + $2 WHERE id = $1`, [followerId, delta]);
  await tx.query(`UPDATE profiles SET follower_count = follower_count + $2 WHERE id = $1`, [followeeId, delta]);
}

/** Deletes the given [follower, followee] edges that exist and uncounts them; returns how many went. */
async function removeFollows(tx: EntityManager, edges: [string, string][]): Promise<number> {
  let removed = 0;
  for (const [followerId, followeeId] of edges) {
    const [, count] = (await tx.query(`DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2`, [
      followerId,
      followeeId,
    ])) as [unknown[], number];
    if (count > 0) await countFollow(tx, followerId, followeeId, -1);
    removed += count;
  }
  return removed;
}

/** A cursor of these lists names a follow time and a user id; anything else is forged. */
function validCursor(cursor: Cursor | undefined): Cursor | undefined {
  if (cursor && (!isUuid(cursor.id) || Number.isNaN(Date.parse(cursor.at)))) {
    throw badInput('after is not a valid cursor', 'after');
  }
  return cursor;
}
