import { z } from 'zod';
import { loadConfig } from '@agora/kit/config';

/** The analytics service's own settings, from the environment (every one has a default). */
export interface AnalyticsSettings {
  /** Days raw API calls are kept (recentApiCalls, and rollups of late calls). */
  rawRetentionDays: number;
  /** Days per-minute rollups are kept (apiUsage). */
  rollupRetentionDays: number;
  /** How often dirty minutes are rolled up (and apiUsageUpdated pushed). */
  rollupIntervalMs: number;
  /** How often expired calls and rollups are swept. */
  sweepIntervalMs: number;
}

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/**
 * ANALYTICS_RAW_RETENTION_DAYS (7), ANALYTICS_ROLLUP_RETENTION_DAYS (400),
 * ANALYTICS_ROLLUP_INTERVAL_MS (1000), ANALYTICS_SWEEP_INTERVAL_MS (1 hour).
 */
export function analyticsSettings(env: NodeJS.ProcessEnv = process.env): AnalyticsSettings {
  const config = loadConfig(
    z.object({
      ANALYTICS_RAW_RETENTION_DAYS: int(1, 7),
      ANALYTICS_ROLLUP_RETENTION_DAYS: int(1, 400),
      ANALYTICS_ROLLUP_INTERVAL_MS: int(50, 1_000),
      ANALYTICS_SWEEP_INTERVAL_MS: int(1_000, 3_600_000),
    }),
    env,
  );
  return {
    rawRetentionDays: config.ANALYTICS_RAW_RETENTION_DAYS,
    rollupRetentionDays: config.ANALYTICS_ROLLUP_RETENTION_DAYS,
    rollupIntervalMs: config.ANALYTICS_ROLLUP_INTERVAL_MS,
    sweepIntervalMs: config.ANALYTICS_SWEEP_INTERVAL_MS,
  };
}
