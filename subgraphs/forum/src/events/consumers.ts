import type { DataSource } from 'typeorm';
import { applyRelationEvent, RELATIONS_TOPIC } from '@agora/kit/blocks';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import { consumeOnce } from '@agora/kit/outbox';

const GROUP = 'forum';

/** Keeps the local `blocks` table from users.relations, so lists hide blocked authors. */
export function consumeRelations(db: DataSource, events: EventLog): Promise<Consumer> {
  return events.subscribe({
    group: GROUP,
    topics: [RELATIONS_TOPIC],
    fromBeginning: true,
    handle: async (event) => {
      await consumeOnce(db, GROUP, event, (tx) => applyRelationEvent(tx, event));
    },
  });
}
