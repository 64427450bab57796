import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isUnexpected } from './format-error';
import type { Logger } from './log';

/**
 * Prometheus metrics (prom-client), one registry per process, served at /metrics by every
 * HTTP server the kit starts. docs/operations.md lists each series and the alerts worth
 * setting. Series names start with `agora_`; Node's own (RSS, event-loop delay, heap, GC)
 * come from prom-client's default metrics.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const lagBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export const metrics = {
  graphqlOperations: new Counter({
    name: 'agora_graphql_operations_total',
    help: 'GraphQL operations served, by service, operation name, type and outcome (ok: no errors)',
    labelNames: ['service', 'operation', 'type', 'outcome'] as const,
    registers: [registry],
  }),
  graphqlDuration: new Histogram({
    name: 'agora_graphql_operation_duration_seconds',
    help: 'Time to answer a GraphQL operation, by service, operation name and type',
    labelNames: ['service', 'operation', 'type'] as const,
    buckets: seconds,
    registers: [registry],
  }),
  graphqlErrors: new Counter({
    name: 'agora_graphql_errors_total',
    help: 'Errors in GraphQL responses, by service, operation name and error code',
    labelNames: ['service', 'operation', 'code'] as const,
    registers: [registry],
  }),
  subgraphFetches: new Counter({
    name: 'agora_subgraph_fetches_total',
    help: "Gateway requests to a subgraph's replicas, by subgraph and outcome (ok, failed, unavailable)",
    labelNames: ['subgraph', 'outcome'] as const,
    registers: [registry],
  }),
  subgraphFetchDuration: new Histogram({
    name: 'agora_subgraph_fetch_duration_seconds',
    help: 'Time of one gateway request to a subgraph replica, by subgraph',
    labelNames: ['subgraph'] as const,
    buckets: seconds,
    registers: [registry],
  }),
  subgraphRetries: new Counter({
    name: 'agora_subgraph_retries_total',
    help: 'Gateway requests sent again to another replica after a failure, by subgraph',
    labelNames: ['subgraph'] as const,
    registers: [registry],
  }),
  sharedReads: new Counter({
    name: 'agora_subgraph_reads_shared_total',
    help: 'Gateway reads answered by an identical read already in flight to the same subgraph (no request of their own)',
    registers: [registry],
  }),
  replicaEjections: new Counter({
    name: 'agora_subgraph_replica_ejections_total',
    help: 'Replicas taken out of turn after a connection error or 502/503/504, by subgraph',
    labelNames: ['subgraph'] as const,
    registers: [registry],
  }),
  replicasHealthy: new Gauge({
    name: 'agora_subgraph_replicas_healthy',
    help: 'Replicas of a subgraph in turn (not ejected)',
    labelNames: ['subgraph'] as const,
    registers: [registry],
  }),
  apiCallRecords: new Counter({
    name: 'agora_api_call_records_total',
    help: "The gateway's API-call records (gateway.requests): published, or dropped (buffer full, unfit, stopping)",
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  outboxPublished: new Counter({
    name: 'agora_outbox_published_total',
    help: 'Events the outbox relay published to the event log, by service',
    labelNames: ['service'] as const,
    registers: [registry],
  }),
  eventsConsumed: new Counter({
    name: 'agora_events_consumed_total',
    help: 'Events handled by a consumer, by group, topic and outcome (ok, failed: retried)',
    labelNames: ['group', 'topic', 'outcome'] as const,
    registers: [registry],
  }),
  consumerLag: new Histogram({
    name: 'agora_consumer_lag_seconds',
    help: 'Consumer lag: how old an event is when its consumer has handled it (occurredAt to done), by group and topic',
    labelNames: ['group', 'topic'] as const,
    buckets: lagBuckets,
    registers: [registry],
  }),
  jobs: new Counter({
    name: 'agora_jobs_total',
    help: 'Jobs handled by a worker, by queue and outcome (ok, retried, dead_lettered)',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  }),
  cacheRequests: new Counter({
    name: 'agora_cache_requests_total',
    help: 'Cache reads by result (hit, miss, error: the cache was unreachable and the read went to the database)',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  subscriptionsOpen: new Gauge({
    name: 'agora_subscriptions_open',
    help: 'Subscriptions open at this gateway, by field',
    labelNames: ['field'] as const,
    registers: [registry],
  }),
  subscriptionDelivery: new Histogram({
    name: 'agora_subscription_delivery_seconds',
    help: 'From an event (occurredAt) to its payload queued for its subscribers, by field',
    labelNames: ['field'] as const,
    buckets: lagBuckets,
    registers: [registry],
  }),
};

/**
 * Gauges read when Prometheus scrapes: the outbox backlog and relay lag, the job queues'
 * depth. Sources register themselves (an outbox, a job queue) and unregister on close.
 */
type Reading = { labels: Record<string, string>; value: number };
const sources = {
  outboxBacklog: new Set<() => Promise<Reading[]>>(),
  outboxLag: new Set<() => Promise<Reading[]>>(),
  jobQueueDepth: new Set<() => Promise<Reading[]>>(),
};

function scrapedGauge(name: string, help: string, labelNames: string[], from: Set<() => Promise<Reading[]>>) {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      const readings = await Promise.all([...from].map((read) => read().catch(() => [] as Reading[])));
      for (const { labels, value } of readings.flat()) this.set(labels, value);
    },
  });
}

scrapedGauge(
  'agora_outbox_backlog',
  'Events written but not yet published, by service',
  ['service'],
  sources.outboxBacklog,
);
scrapedGauge(
  'agora_outbox_relay_lag_seconds',
  'Age of the oldest event not yet published (0 when none), by service',
  ['service'],
  sources.outboxLag,
);
scrapedGauge(
  'agora_job_queue_depth',
  'Jobs waiting in a queue (ready, not yet taken), by queue',
  ['queue'],
  sources.jobQueueDepth,
);

/** Registers a scrape-time reading; returns its unregister. */
export function registerReading(kind: keyof typeof sources, read: () => Promise<Reading[]>): () => void {
  sources[kind].add(read);
  return () => void sources[kind].delete(read);
}

/** Operation names seen, bounded, so a client sending random names cannot blow up the series. */
const knownOperations = new Set<string>();
const MAX_OPERATION_NAMES = 500;
function operationLabel(name: string | null | undefined): string {
  const label = name || 'anonymous';
  if (knownOperations.has(label)) return label;
  if (knownOperations.size >= MAX_OPERATION_NAMES) return 'other';
  knownOperations.add(label);
  return label;
}

/**
 * Apollo Server plugin: rate, latency and errors of GraphQL operations, by operation; and one
 * log line per unexpected error (with its stack, the operation and the request id: the trace
 * id comes with the line). Expected errors (API codes: bad input, not found...) are not logged.
 */
export function graphqlMetricsPlugin<C extends BaseContext>(service: string, log?: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const end = metrics.graphqlDuration.startTimer();
      let operation = 'anonymous';
      let type = 'unknown';
      let failed = false;
      return {
        async didResolveOperation(ctx) {
          operation = operationLabel(ctx.operationName);
          type = ctx.operation?.operation ?? 'unknown';
        },
        async didEncounterErrors(ctx) {
          failed = true;
          for (const error of ctx.errors) {
            const unexpected = isUnexpected(error);
            const code = unexpected ? 'INTERNAL_SERVER_ERROR' : String(error.extensions?.code ?? 'UNKNOWN');
            metrics.graphqlErrors.inc({ service, operation: operationLabel(ctx.operationName), code });
            if (unexpected) {
              log?.error(
                {
                  err: unwrapResolverError(error),
                  operation: ctx.operationName ?? undefined,
                  path: error.path,
                  requestId: (ctx.contextValue as { requestId?: string }).requestId,
                },
                'unexpected error',
              );
            }
          }
        },
        async willSendResponse(ctx) {
          const body = ctx.response.body;
          if (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0) failed = true;
          end({ service, operation, type });
          metrics.graphqlOperations.inc({ service, operation, type, outcome: failed ? 'error' : 'ok' });
        },
      };
    },
  };
}

/** The /metrics body and its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType };
}
