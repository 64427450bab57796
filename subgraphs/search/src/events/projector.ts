import type { DataSource, EntityManager } from 'typeorm';
import {
  commentCreated,
  commentDeleted,
  commentUpdated,
  pictureDeleted,
  pictureProcessedEvent,
  pictureUploaded,
  postCreated,
  postDeleted,
  postUpdated,
  userBlocked,
  userProfileUpdated,
  userRegistered,
} from '@agora/contracts/events';
import { blockHandlers } from '@agora/kit/blocks';
import { consume, on, type EventHandler } from '@agora/kit/events/consume';
import type { Consumer, EventEnvelope, EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { consumeOnce } from '@agora/kit/outbox';
import { commentDocument, pictureDocument, postDocument, userDocument } from '../domain/document';
import type { Generation } from '../store/generations';
import { IndexWriter } from '../store/writer';

/** Blocks are not part of a generation: one table, kept once whichever generation's consumer sees the event first. */
const BLOCKS = 'search.blocks';

/**
 * What fills a generation: every content event (people, posts, comments, pictures) and the
 * blocks, each applied once for the generation (its consumer group is the idempotency key).
 */
export function indexHandlers(db: DataSource, generation: Pick<Generation, 'generation' | 'group'>): EventHandler[] {
  const writer = new IndexWriter(generation.generation);
  const once = (event: EventEnvelope, work: (tx: EntityManager) => Promise<void>) =>
    consumeOnce(db, generation.group, event, work).then(() => undefined);
  return [
    on(userRegistered, (data, event) =>
      once(event, (tx) =>
        writer.put(tx, userDocument({ ...data, bio: '', createdAt: event.occurredAt, updatedAt: event.occurredAt }), {
          insertOnly: true,
        }),
      ),
    ),
    on(userProfileUpdated, (data, event) => once(event, (tx) => writer.put(tx, userDocument(data)))),
    on(postCreated, (data, event) => once(event, (tx) => writer.put(tx, postDocument(data)))),
    on(postUpdated, (data, event) => once(event, (tx) => writer.put(tx, postDocument(data)))),
    on(postDeleted, (data, event) => once(event, (tx) => writer.put(tx, postDocument(data, true)))),
    on(commentCreated, (data, event) => once(event, (tx) => writer.put(tx, commentDocument(data)))),
    on(commentUpdated, (data, event) => once(event, (tx) => writer.put(tx, commentDocument(data)))),
    on(commentDeleted, (data, event) => once(event, (tx) => writer.put(tx, commentDocument(data, true)))),
    on(pictureUploaded, (data, event) => once(event, (tx) => writer.put(tx, pictureDocument(data, event.occurredAt)))),
    on(pictureProcessedEvent, (data, event) =>
      once(event, (tx) => writer.put(tx, pictureDocument(data, event.occurredAt))),
    ),
    on(pictureDeleted, (data, event) =>
      once(event, (tx) => writer.put(tx, pictureDocument(data, event.occurredAt, true))),
    ),
    ...blockHandlers(db, BLOCKS),
  ];
}

/** The topics a generation reads: people, posts, comments, pictures, relations. */
export const INDEX_TOPICS = [
  ...new Set(
    [userRegistered, userProfileUpdated, postCreated, commentCreated, pictureUploaded, userBlocked].map((d) => d.topic),
  ),
];

/** Starts the consumer that fills `generation` from the start of the event history. */
export function project(
  db: DataSource,
  events: EventLog,
  log: Logger,
  generation: Pick<Generation, 'generation' | 'group'>,
): Promise<Consumer> {
  return consume(events, {
    group: generation.group,
    fromBeginning: true,
    log: log.child({ generation: generation.generation }),
    handlers: indexHandlers(db, generation),
  });
}
