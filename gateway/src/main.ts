import { onShutdown } from '@agora/kit/lifecycle';
import { createLogger } from '@agora/kit/log';
import { gatewayConfig } from './config';
import { startGateway } from './gateway';

const log = createLogger('gateway');
const config = gatewayConfig();
startGateway({
  host: config.HOST,
  port: config.PORT,
  log,
  supergraphPath: config.SUPERGRAPH_PATH,
  subgraphUrls: config.subgraphUrls,
  maxBodyBytes: config.MAX_BODY_BYTES,
  maxDepth: config.MAX_QUERY_DEPTH,
  webRoot: config.WEB_ROOT,
}).then(
  (gateway) => onShutdown(() => gateway.close()),
  (error: unknown) => {
    log.fatal({ err: error }, 'gateway failed to start');
    process.exit(1);
  },
);
