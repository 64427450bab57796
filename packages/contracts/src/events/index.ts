export * from './envelope';
export * from './define';
export * from './catalogue';
export * from './profiles';
export * from './retention';
export * from './notifications';
export * from './gateway';
export * from './analytics';
import { EVENTS, NOTICES } from './catalogue';
import type { EventDefinition, NoticeDefinition } from './define';

/** The catalogue's definition of `type` on `topic`, if there is one. */
export function findEvent(topic: string, type: string): EventDefinition | undefined {
  return (EVENTS as readonly EventDefinition[]).find((e) => e.topic === topic && e.type === type);
}

export function findNotice(routingKey: string): NoticeDefinition | undefined {
  return (NOTICES as readonly NoticeDefinition[]).find((n) => n.routingKey === routingKey);
}
