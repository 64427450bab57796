import { randomUUID } from 'node:crypto';

/**
 * DESIGN.md's event envelope. `subject` is the entity id and the partition key; `version`
 * is the payload schema's "major.minor" (history written before versions had a minor may
 * hold a bare major number).
 */
export interface EventEnvelope<D = unknown> {
  id: string;
  type: string;
  version: string | number;
  occurredAt: string;
  source: string;
  subject: string;
  actorId?: string;
  data: D;
}

/** A new envelope with a fresh id and the current time; catalogue entries' `build` uses it. */
export function newEvent<D>(fields: {
  type: string;
  source: string;
  subject: string;
  data: D;
  actorId?: string;
  version?: string;
}): EventEnvelope<D> {
  return {
    id: randomUUID(),
    version: '1.0',
    occurredAt: new Date().toISOString(),
    ...fields,
  };
}
