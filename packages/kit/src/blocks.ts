import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { EventEnvelope } from './events/port';

/**
 * A local copy of who blocked whom, for services that hide a blocked author's content
 * from the blocker (forum, comments). The users service owns the relations and announces
 * them on `users.relations`; each service keeps its own `blocks` table from those events,
 * so lists can filter in the same SQL query that reads them.
 */
export const RELATIONS_TOPIC = 'users.relations';

export class CreateBlocks1650000000000 implements MigrationInterface {
  name = 'CreateBlocks1650000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE blocks (
        blocker_id uuid NOT NULL,
        blocked_id uuid NOT NULL,
        PRIMARY KEY (blocker_id, blocked_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE blocks`);
  }
}

/** Put after `outboxMigrations` in the migration list of a service that hides blocked authors. */
export const blocksMigrations = [CreateBlocks1650000000000];

interface RelationData {
  actorId: string;
  targetId: string;
}

/** Applies a `users.relations` event (run it inside `consumeOnce`); follows are ignored. */
export async function applyRelationEvent(tx: EntityManager, event: EventEnvelope): Promise<void> {
  const { actorId, targetId } = event.data as RelationData;
  if (event.type === 'user.blocked') {
    await tx.query(`INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      actorId,
      targetId,
    ]);
  } else if (event.type === 'user.unblocked') {
    await tx.query(`DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2`, [actorId, targetId]);
  }
}

/**
 * SQL condition: the author in `authorColumn` is not blocked by the viewer whose id is the
 * parameter `viewerParam` (e.g. `$3`); a NULL viewer (anonymous) blocks no one.
 */
export const notBlockedBy = (viewerParam: string, authorColumn: string) =>
  `NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ${viewerParam}::uuid AND b.blocked_id = ${authorColumn})`;
