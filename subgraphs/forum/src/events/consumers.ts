import type { DataSource } from 'typeorm';
import { blockHandlers } from '@agora/kit/blocks';
import { consume } from '@agora/kit/events/consume';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';

const GROUP = 'forum';

/** Keeps the local `blocks` table from users.relations, so lists hide blocked authors. */
export function consumeRelations(db: DataSource, events: EventLog, log: Logger): Promise<Consumer> {
  return consume(events, { group: GROUP, fromBeginning: true, log, handlers: blockHandlers(db, GROUP) });
}
