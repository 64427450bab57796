import {
  EventContractError,
  newEvent,
  type EventDefinition,
  type EventEnvelope,
  type NoticeDefinition,
} from '@agora/contracts/events';
import type { z } from 'zod';
import type { Logger } from '../log';
import type { Consumer, EventLog } from './port';

/** What a consumer does with one kind of event, its data already parsed by the catalogue. */
export interface EventHandler {
  definition: EventDefinition;
  handle(data: unknown, event: EventEnvelope, topic: string): Promise<void>;
}

/** Pairs a catalogue event with what to do with it; `data` is typed by the event's schema. */
export function on<S extends z.ZodObject>(
  definition: EventDefinition<string, S>,
  handle: (data: z.output<S>, event: EventEnvelope, topic: string) => Promise<void>,
): EventHandler {
  return { definition: definition as unknown as EventDefinition, handle: handle as EventHandler['handle'] };
}

/** The topic a consumer group's unreadable events go to, with their reason. */
export const deadLetterTopic = (group: string) => `dead-letters.${group}`;

/** `event.dead-lettered`: an event a consumer could not read, kept whole with why. */
export interface DeadLetter {
  group: string;
  topic: string;
  reason: string;
  event: EventEnvelope;
}

/**
 * Subscribes `group` to the topics of its handlers. Each event whose (topic, type) has a
 * handler is parsed with the catalogue first: one that does not fit goes to the group's
 * dead-letter topic with the reason (logged without its data), and consumption goes on.
 * Events of other types on those topics are not this consumer's business and pass by.
 * A handler that throws gets the event again after a backoff (the event log's rule).
 */
export function consume(
  events: EventLog,
  options: { group: string; fromBeginning?: boolean; log: Logger; handlers: EventHandler[] },
): Promise<Consumer> {
  const { group, log, handlers } = options;
  const topics = [...new Set(handlers.map((h) => h.definition.topic))];
  return events.subscribe({
    group,
    topics,
    fromBeginning: options.fromBeginning,
    handle: async (event, topic) => {
      const mine = handlers.filter((h) => h.definition.topic === topic && h.definition.type === event.type);
      for (const handler of mine) {
        const data = await readEvent(handler.definition, event, { events, log, group, topic });
        if (data === undefined) return;
        await handler.handle(data, event, topic);
      }
    },
  });
}

/**
 * `event`'s data parsed by `definition`, or undefined once an event that does not fit has
 * been dead-lettered (to `dead-letters.<group>`, with the reason) and logged.
 */
export async function readEvent(
  definition: EventDefinition,
  event: EventEnvelope,
  where: { events: EventLog; log: Logger; group: string; topic: string },
): Promise<unknown> {
  try {
    return definition.parse(event);
  } catch (error) {
    if (!(error instanceof EventContractError)) throw error;
    await deadLetter(where.events, where.log, { group: where.group, topic: where.topic, reason: error.message, event });
    return undefined;
  }
}

async function deadLetter(events: EventLog, log: Logger, letter: DeadLetter): Promise<void> {
  await events.publish(deadLetterTopic(letter.group), [
    newEvent({ type: 'event.dead-lettered', source: letter.group, subject: letter.event.id, data: letter }),
  ]);
  log.warn(
    {
      group: letter.group,
      topic: letter.topic,
      eventId: letter.event.id,
      type: letter.event.type,
      reason: letter.reason,
    },
    'event dead-lettered: its payload does not fit the catalogue',
  );
}

/** A notice's data parsed with its catalogue entry, or undefined (logged) when it does not fit. */
export function readNotice<S extends z.ZodObject>(
  definition: NoticeDefinition<S>,
  data: unknown,
  log: Logger,
): z.output<S> | undefined {
  try {
    return definition.parse(data);
  } catch (error) {
    if (!(error instanceof EventContractError)) throw error;
    log.warn(
      { routingKey: definition.routingKey, reason: error.message },
      'notice dropped: it does not fit the catalogue',
    );
    return undefined;
  }
}
