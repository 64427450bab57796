import { type z } from 'zod';
import { newEvent, type EventEnvelope } from './envelope';

/** A payload schema's version: a consumer reads its own major and any minor of it. */
export interface SchemaVersion {
  major: number;
  minor: number;
}

export function parseVersion(version: string | number | undefined): SchemaVersion | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(String(version ?? ''));
  return match ? { major: Number(match[1]), minor: Number(match[2] ?? 0) } : undefined;
}

/** Why an event could not be read: the reason a consumer dead-letters it with. */
export class EventContractError extends Error {
  override name = 'EventContractError';
}

/** One event of the catalogue: where it goes, what it is called, and what its data holds. */
export interface EventDefinition<T extends string = string, S extends z.ZodObject = z.ZodObject> {
  kind: 'event';
  topic: string;
  type: T;
  version: SchemaVersion;
  /** The producer: who writes it (the envelope's `source`). */
  source: string;
  data: S;
  /** A new envelope, its data checked against the schema (a producer bug throws here). */
  build(fields: { subject: string; actorId?: string; data: z.input<S> }): EventEnvelope<z.output<S>>;
  /** The event's data, or an EventContractError saying why it does not fit this definition. */
  parse(event: EventEnvelope): z.output<S>;
}

/** A RabbitMQ `realtime` notice (fire-and-forget completion news), keyed by routing key. */
export interface NoticeDefinition<S extends z.ZodObject = z.ZodObject> {
  kind: 'notice';
  routingKey: string;
  data: S;
  build(data: z.input<S>): z.output<S>;
  parse(data: unknown): z.output<S>;
}

export type EventData<D> = D extends EventDefinition<string, infer S> ? z.output<S> : never;

const reasonOf = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`).join('; ');

export function defineEvent<T extends string, S extends z.ZodObject>(spec: {
  topic: string;
  type: T;
  version: `${number}.${number}`;
  source: string;
  data: S;
}): EventDefinition<T, S> {
  const version = parseVersion(spec.version)!;
  return {
    kind: 'event',
    topic: spec.topic,
    type: spec.type,
    version,
    source: spec.source,
    data: spec.data,
    build: ({ subject, actorId, data }) =>
      newEvent({
        type: spec.type,
        source: spec.source,
        subject,
        actorId,
        version: spec.version,
        data: spec.data.parse(data) as z.output<S>,
      }),
    parse(event) {
      if (event.type !== spec.type) throw new EventContractError(`type "${event.type}" is not "${spec.type}"`);
      const got = parseVersion(event.version);
      if (!got) throw new EventContractError(`version "${String(event.version)}" is not "major.minor"`);
      if (got.major !== version.major) {
        throw new EventContractError(`version ${got.major}.${got.minor}: this consumer reads major ${version.major}`);
      }
      // A newer minor only adds optional fields: the schema reads what it knows and drops the rest.
      const result = spec.data.safeParse(event.data);
      if (!result.success) throw new EventContractError(reasonOf(result.error));
      return result.data as z.output<S>;
    },
  };
}

export function defineNotice<S extends z.ZodObject>(spec: { routingKey: string; data: S }): NoticeDefinition<S> {
  return {
    kind: 'notice',
    routingKey: spec.routingKey,
    data: spec.data,
    build: (data) => spec.data.parse(data) as z.output<S>,
    parse(data) {
      const result = spec.data.safeParse(data);
      if (!result.success) throw new EventContractError(reasonOf(result.error));
      return result.data as z.output<S>;
    },
  };
}
