import type { DataSource, EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

/**
 * What this service keeps of other services' data, from their events (it never calls
 * them): users' handles (auth.users), posts' and comments' authors (forum.posts,
 * comments.comments) and e-mail addresses (auth.addresses). Every write is an upsert run
 * inside `consumeOnce`, so redeliveries and any order of arrival are safe.
 */
export class ReplicaStore {
  constructor(private readonly db: DataSource) {}

  async keepUser(tx: EntityManager, user: { userId: string; handle: string; displayName: string }): Promise<void> {
    await tx.query(
      `INSERT INTO users (id, handle, display_name) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET handle = EXCLUDED.handle, display_name = EXCLUDED.display_name`,
      [user.userId, user.handle, user.displayName],
    );
  }

  async keepPost(tx: EntityManager, post: { id: string; authorId: string; title: string }, deleted = false) {
    await tx.query(
      `INSERT INTO posts (id, author_id, title, deleted) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, deleted = posts.deleted OR EXCLUDED.deleted`,
      [post.id, post.authorId, post.title, deleted],
    );
  }

  async keepComment(tx: EntityManager, comment: { id: string; postId: string; authorId: string }, deleted = false) {
    await tx.query(
      `INSERT INTO comments (id, post_id, author_id, deleted) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET deleted = comments.deleted OR EXCLUDED.deleted`,
      [comment.id, comment.postId, comment.authorId, deleted],
    );
  }

  async user(q: Queryable, id: string): Promise<{ handle: string; displayName: string } | undefined> {
    const rows = (await q.query(`SELECT handle, display_name FROM users WHERE id = $1`, [id])) as {
      handle: string;
      display_name: string;
    }[];
    return rows[0] && { handle: rows[0].handle, displayName: rows[0].display_name };
  }

  async post(q: Queryable, id: string): Promise<{ authorId: string; title: string; deleted: boolean } | undefined> {
    const rows = (await q.query(`SELECT author_id, title, deleted FROM posts WHERE id = $1`, [id])) as {
      author_id: string;
      title: string;
      deleted: boolean;
    }[];
    return rows[0] && { authorId: rows[0].author_id, title: rows[0].title, deleted: rows[0].deleted };
  }

  async comment(q: Queryable, id: string): Promise<{ authorId: string; deleted: boolean } | undefined> {
    const rows = (await q.query(`SELECT author_id, deleted FROM comments WHERE id = $1`, [id])) as {
      author_id: string;
      deleted: boolean;
    }[];
    return rows[0] && { authorId: rows[0].author_id, deleted: rows[0].deleted };
  }

  /** Whether either of the two has blocked the other (the local copy of users.relations). */
  async blockedEitherWay(q: Queryable, a: string, b: string): Promise<boolean> {
    const rows = (await q.query(
      `SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1) LIMIT 1`,
      [a, b],
    )) as unknown[];
    return rows.length > 0;
  }

  /** A verification was asked for `email`: a new address starts unverified and unsuppressed. */
  async addressRequested(tx: EntityManager, userId: string, email: string): Promise<void> {
    await tx.query(
      `INSERT INTO addresses (user_id, email) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET
         verified_at = CASE WHEN addresses.email = EXCLUDED.email THEN addresses.verified_at END,
         suppressed_at = CASE WHEN addresses.email = EXCLUDED.email THEN addresses.suppressed_at END,
         suppressed_reason = CASE WHEN addresses.email = EXCLUDED.email THEN addresses.suppressed_reason END,
         email = EXCLUDED.email`,
      [userId, email],
    );
  }

  async addressVerified(tx: EntityManager, userId: string, email: string, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO addresses (user_id, email, verified_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET
         verified_at = CASE WHEN addresses.email = EXCLUDED.email THEN EXCLUDED.verified_at ELSE addresses.verified_at END`,
      [userId, email, at],
    );
  }

  async address(
    userId: string,
    q: Queryable = this.db,
  ): Promise<{ email: string; verified: boolean; suppressed: boolean } | undefined> {
    const rows = (await q.query(`SELECT email, verified_at, suppressed_at FROM addresses WHERE user_id = $1`, [
      userId,
    ])) as { email: string; verified_at: Date | null; suppressed_at: Date | null }[];
    const row = rows[0];
    return row && { email: row.email, verified: row.verified_at !== null, suppressed: row.suppressed_at !== null };
  }

  /** The address was refused permanently: nothing more is sent to it. */
  async suppressAddress(q: Queryable, userId: string, email: string, reason: string): Promise<void> {
    await q.query(
      `UPDATE addresses SET suppressed_at = now(), suppressed_reason = $3 WHERE user_id = $1 AND email = $2`,
      [userId, email, reason.slice(0, 500)],
    );
  }

  /** The `users` replica for many ids at once (DataLoader-friendly). */
  async users(ids: readonly string[]): Promise<Map<string, { handle: string }>> {
    const rows = (await this.db.query(`SELECT id, handle FROM users WHERE id = ANY($1::uuid[])`, [ids])) as {
      id: string;
      handle: string;
    }[];
    return new Map(rows.map((r) => [r.id, { handle: r.handle }]));
  }
}
