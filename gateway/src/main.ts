import { remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import { createInfra } from '@agora/kit/infra';
import { onShutdown } from '@agora/kit/lifecycle';
import { createLogger } from '@agora/kit/log';
import { gatewayConfig } from './config';
import { startGateway } from './gateway';

const log = createLogger('gateway');
const config = gatewayConfig();
// Subscriptions consume Kafka (KAFKA_BROKERS) and RabbitMQ notices (AMQP_URL).
createInfra(process.env, { service: 'gateway', log })
  .then((infra) => {
    onShutdown(() => infra.close());
    return startGateway({
      host: config.HOST,
      port: config.PORT,
      log,
      supergraphPath: config.SUPERGRAPH_PATH,
      subgraphUrls: config.subgraphUrls,
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxDepth: config.MAX_QUERY_DEPTH,
      webRoot: config.WEB_ROOT,
      identify: tokenIdentifier(remoteKeys(config.AUTH_JWKS_URL)),
      trustProxy: config.TRUST_PROXY,
      infra,
      subscriptionLimits: config.subscriptionLimits,
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
