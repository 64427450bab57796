import { loadConfig } from '@agora/kit/config';
import { createInfra } from '@agora/kit/infra';
import { onShutdown } from '@agora/kit/lifecycle';
import { createLogger } from '@agora/kit/log';
import { mailWorkerEnvSchema, notificationsSettings } from './config';
import { openResources, runMailWorker } from './resources';

/**
 * Distributed mode: the mail worker alone in its process (run the subgraph with
 * NOTIFICATIONS_MAIL_WORKER=off beside it); several may run, RabbitMQ shares the jobs out
 * and a batch is claimed by one. Env: DATABASE_URL (required: the subgraph's database),
 * AMQP_URL (the `mail` queue), KAFKA_BROKERS, SMTP_URL (else .eml files in MAIL_DIR or
 * DATA_DIR/mail), PUBLIC_URL, MAIL_FROM and the MAIL_* settings (src/config.ts), LOG_LEVEL.
 */
async function main(): Promise<void> {
  const log = createLogger('notifications-worker');
  const config = loadConfig(mailWorkerEnvSchema);
  const settings = notificationsSettings(config.DATA_DIR);
  const infra = await createInfra(process.env, { dataDir: config.DATA_DIR, service: 'notifications', log });
  onShutdown(() => infra.close());
  const resources = await openResources(
    { databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, events: infra.events, log },
    settings,
  );
  onShutdown(() => resources.close());
  const worker = await runMailWorker(resources, { jobs: infra.jobs, log, settings });
  onShutdown(() => worker.stop());
}

main().catch((error: unknown) => {
  createLogger('notifications-worker').fatal({ err: error }, 'failed to start');
  process.exit(1);
});
