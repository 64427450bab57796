import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { userBlocked, userUnblocked } from '@agora/contracts/events';
import { on, type EventHandler } from './events/consume';
import { consumeOnce } from './outbox';

/**
 * A local copy of who blocked whom, for services that hide a blocked author's content
 * from the blocker (forum, comments). The users service owns the relations and announces
 * them on `users.relations`; each service keeps its own `blocks` table from those events,
 * so lists can filter in the same SQL query that reads them.
 */
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

/**
 * The handlers that keep the local `blocks` table from users.relations (follows are not
 * this table's business), each event applied once for `group`. Add them to the service's
 * `consume` call.
 */
export function blockHandlers(db: DataSource, group: string): EventHandler[] {
  return [
    on(userBlocked, async (data, event) => {
      await consumeOnce(db, group, event, (tx: EntityManager) =>
        tx.query(`INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          data.actorId,
          data.targetId,
        ]),
      );
    }),
    on(userUnblocked, async (data, event) => {
      await consumeOnce(db, group, event, (tx: EntityManager) =>
        tx.query(`DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2`, [data.actorId, data.targetId]),
      );
    }),
  ];
}

/**
 * SQL condition: the author in `authorColumn` is not blocked by the viewer whose id is the
 * parameter `viewerParam` (e.g. `$3`); a NULL viewer (anonymous) blocks no one.
 */
export const notBlockedBy = (viewerParam: string, authorColumn: string) =>
  `NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ${viewerParam}::uuid AND b.blocked_id = ${authorColumn})`;
