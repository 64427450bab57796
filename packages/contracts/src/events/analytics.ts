import { z } from 'zod';
import { defineEvent } from './define';

/**
 * `analytics.usage`: the analytics subgraph's news that a usage bucket changed (its
 * per-minute rollups were recomputed), one event per interval whose bucket changed. The
 * gateway turns them into `apiUsageUpdated` pushes. Keyed by the bucket's id.
 */
export const ANALYTICS_TOPICS = { usage: 'analytics.usage' } as const;

export const usageInterval = z.enum(['MINUTE', 'HOUR', 'DAY']);

export const apiUsageUpdated = defineEvent({
  topic: ANALYTICS_TOPICS.usage,
  type: 'api-usage.updated',
  version: '1.0',
  source: 'analytics',
  data: z.object({
    /** The bucket: `<interval>:<start, ISO-8601>`, e.g. `MINUTE:2026-01-01T10:04:00.000Z`. */
    id: z.string().min(1),
    interval: usageInterval,
    /** The bucket's start. */
    at: z.iso.datetime({ offset: true }),
  }),
});

export const ANALYTICS_EVENTS = [apiUsageUpdated] as const;
