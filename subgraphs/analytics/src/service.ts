import type { ServiceDefinition, ServiceRuntime, RunningService } from '@agora/kit/service';
import { serveSubgraph } from '@agora/kit/subgraph';
import { analyticsSettings, type AnalyticsSettings } from './config';
import type { Context } from './context';
import { consumeCalls } from './events/calls';
import { startRetention } from './jobs/retention';
import { startRoller } from './jobs/roller';
import { resolvers } from './resolvers';
import { ApiCallStore } from './store/calls';
import { RollupStore } from './store/rollups';

/**
 * The analytics subgraph: API calls from `gateway.requests` into the document store
 * (MongoDB in distributed mode), per-minute rollups, and the admin usage API. Wiring only.
 */
export const analyticsService: ServiceDefinition = {
  name: 'analytics',
  start: (runtime) => startAnalytics(runtime, analyticsSettings()),
};

export async function startAnalytics(runtime: ServiceRuntime, settings: AnalyticsSettings): Promise<RunningService> {
  const { infra, log } = runtime;
  const calls = new ApiCallStore(infra.documents);
  const rollups = new RollupStore(infra.documents);
  await calls.ensureIndexes(settings.rawRetentionDays);
  await rollups.ensureIndexes(settings.rollupRetentionDays);
  const consumer = await consumeCalls(
    infra.events,
    { calls, rollups },
    { log, rawRetentionDays: settings.rawRetentionDays },
  );
  const roller = startRoller({ rollups, events: infra.events, log, intervalMs: settings.rollupIntervalMs });
  const retention = startRetention({
    calls,
    rollups,
    rawRetentionDays: settings.rawRetentionDays,
    rollupRetentionDays: settings.rollupRetentionDays,
    intervalMs: settings.sweepIntervalMs,
    log,
  });
  // No database of its own: its store is the document store, which it cannot serve without.
  const server = await serveSubgraph<Context>(runtime, {
    name: 'analytics',
    resolvers,
    context: (base) => ({ ...base, calls, rollups }),
    requires: ['documents'],
  });
  return {
    ...server,
    close: async () => {
      await server.close();
      await consumer.stop();
      await roller.stop();
      await retention.stop();
    },
  };
}
