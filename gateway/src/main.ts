import { remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import { createInfra } from '@agora/kit/infra';
import { onShutdown } from '@agora/kit/lifecycle';
import { createLogger } from '@agora/kit/log';
import { initTracing } from '@agora/kit/tracing';
import { apiKeyCheckUrl } from './api-keys';
import { gatewayConfig } from './config';
import { startGateway } from './gateway';

const log = createLogger('gateway');
const config = gatewayConfig();
if (!config.GATEWAY_SECRET) {
  log.warn('GATEWAY_SECRET is not set: API keys are refused and subgraphs do not trust forwarded client addresses');
}
// Subscriptions consume Kafka (KAFKA_BROKERS) and RabbitMQ notices (AMQP_URL).
initTracing('gateway')
  .then((stopTracing) => {
    onShutdown(stopTracing);
    return createInfra(process.env, { service: 'gateway', log });
  })
  .then((infra) => {
    onShutdown(() => infra.close());
    return startGateway({
      host: config.HOST,
      port: config.PORT,
      log,
      supergraphPath: config.SUPERGRAPH_PATH,
      subgraphUrls: config.subgraphUrls,
      maxBodyBytes: config.MAX_BODY_BYTES,
      limits: config.limits,
      webRoot: config.WEB_ROOT,
      explorerRoot: config.EXPLORER_ROOT,
      identify: tokenIdentifier(remoteKeys(config.AUTH_JWKS_URL)),
      trustProxy: config.TRUST_PROXY,
      infra,
      subscriptionLimits: config.subscriptionLimits,
      connectionCaps: config.connectionCaps,
      usageLog: config.usageLog,
      // Rate limits and APQ registrations: in Redis (REDIS_URL), shared by every replica.
      cache: infra.cache,
      rateLimits: config.rateLimits,
      gatewaySecret: config.GATEWAY_SECRET,
      apiKeyCheckUrl: config.AUTH_API_KEY_CHECK_URL ?? apiKeyCheckUrl(config.AUTH_JWKS_URL),
      persistedDocuments: config.persistedDocuments,
      responseCache: config.responseCache,
    });
  })
  .then(
    (gateway) => onShutdown(() => gateway.close()),
    (error: unknown) => {
      log.fatal({ err: error }, 'gateway failed to start');
      process.exit(1);
    },
  );
