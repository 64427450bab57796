import { loadConfig } from '@agora/kit/config';
import { serviceChecks } from '@agora/kit/health';
import { createInfra } from '@agora/kit/infra';
import { onShutdown } from '@agora/kit/lifecycle';
import { createLogger } from '@agora/kit/log';
import { startHttpServer } from '@agora/kit/server';
import { initTracing } from '@agora/kit/tracing';
import { picturesSettings, workerEnvSchema } from './config';
import { startThumbnailWorker } from './jobs/thumbnails';
import { openResources } from './resources';

/**
 * Distributed mode: the thumbnail worker alone in its process; run as many as the load
 * needs (RabbitMQ shares the jobs out; a job whose worker dies goes to another one).
 * Run the subgraph with PICTURES_WORKER=off beside it. Env: DATABASE_URL (required: the
 * subgraph's database), BLOB_DIR (the folder the subgraph writes to), AMQP_URL,
 * KAFKA_BROKERS (see createInfra), PICTURES_WORKER_CONCURRENCY, LOG_LEVEL, and PORT (default
 * 0: any free port, logged) for its /healthz, /readyz and /metrics.
 */
async function main(): Promise<void> {
  const log = createLogger('pictures-worker');
  const config = loadConfig(workerEnvSchema);
  const settings = picturesSettings();
  onShutdown(await initTracing('pictures-worker'));
  const infra = await createInfra(process.env, { dataDir: config.DATA_DIR, service: 'pictures', log });
  onShutdown(() => infra.close());
  const resources = await openResources(
    { databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, events: infra.events, log },
    settings,
  );
  onShutdown(() => resources.close());
  const worker = await startThumbnailWorker({
    store: resources.store,
    blobs: resources.blobs,
    jobs: infra.jobs,
    notices: infra.notices,
    log,
    concurrency: settings.workerConcurrency,
    testHoldMs: settings.testHoldMs,
  });
  onShutdown(() => worker.stop());
  // No GraphQL here, but probes and Prometheus need an address.
  const http = await startHttpServer({
    host: config.HOST,
    port: config.PORT,
    log,
    routes: {},
    checks: serviceChecks(resources.db, infra),
  });
  onShutdown(() => http.close());
  log.info({ concurrency: settings.workerConcurrency, url: http.url }, 'thumbnail worker running');
}

main().catch((error: unknown) => {
  createLogger('pictures-worker').fatal({ err: error }, 'failed to start');
  process.exit(1);
});
