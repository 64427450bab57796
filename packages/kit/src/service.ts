import { z } from 'zod';
import { remoteKeys, tokenIdentifier, type Identify } from './auth';
import { commonEnv, loadConfig, port } from './config';
import { createInfra, type Infra } from './infra';
import { onShutdown } from './lifecycle';
import { createLogger, type Logger } from './log';
import { initTracing } from './tracing';
import { operationLimitsEnv, operationLimitsFrom, type OperationLimits } from './operation-limits';
import { SUBGRAPHS, type SubgraphName } from '@agora/contracts/subgraphs';

/** Everything a service needs from its host, whether embedded or alone in a process. */
export interface ServiceRuntime {
  host: string;
  port: number;
  log: Logger;
  maxBodyBytes: number;
  /** PostgreSQL URL, or undefined for embedded PGlite. */
  databaseUrl?: string;
  /** Embedded data folder (PGlite, blobs); undefined keeps data in memory. */
  dataDir?: string;
  infra: Infra;
  /** Verifies access tokens (the auth service's JWKS). */
  identify: Identify;
  /** Operation limits (depth, aliases, tokens, cost...); default DEFAULT_OPERATION_LIMITS. */
  limits?: OperationLimits;
  /** Shared with the gateway, which signs forwarded client addresses with it (gateway-trust.ts). */
  gatewaySecret?: string;
}

export interface RunningService {
  name: string;
  url: string;
  graphqlUrl: string;
  close(): Promise<void>;
}

export interface ServiceDefinition {
  name: SubgraphName;
  /** The body size it accepts when run alone and MAX_BODY_BYTES is unset (default 1 MiB). */
  maxBodyBytes?: number;
  start(runtime: ServiceRuntime): Promise<RunningService>;
}

/**
 * Runs one service alone in its process (distributed mode), configured only by env:
 * PORT (default: its embedded port), HOST, DATABASE_URL, DATA_DIR, LOG_LEVEL, MAX_BODY_BYTES,
 * AUTH_JWKS_URL, GATEWAY_SECRET (shared with the gateway: see gateway-trust.ts; without it
 * forwarded client addresses are never trusted), the operation limits (MAX_TOKENS,
 * MAX_QUERY_DEPTH, MAX_ALIASES, ...: see operation-limits.ts), and the ports' servers (REDIS_URL, KAFKA_BROKERS, AMQP_URL, MONGO_URL: see
 * createInfra; an unset one stays in process).
 */
export function runService(definition: ServiceDefinition): void {
  startAlone(definition).catch((error: unknown) => {
    createLogger(definition.name).fatal({ err: error }, 'failed to start');
    process.exit(1);
  });
}

/** The env of a service run alone (its own settings come on top). */
export const serviceEnvSchema = (defaultPort: number, defaultMaxBodyBytes?: number) =>
  z.object({
    ...commonEnv,
    ...(defaultMaxBodyBytes ? { MAX_BODY_BYTES: z.coerce.number().int().positive().default(defaultMaxBodyBytes) } : {}),
    PORT: port(defaultPort),
    AUTH_JWKS_URL: z.string().url().default('http://127.0.0.1:4002/.well-known/jwks.json'),
    GATEWAY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    ...operationLimitsEnv,
  });

async function startAlone(definition: ServiceDefinition): Promise<RunningService> {
  const defaultPort = SUBGRAPHS.find((s) => s.name === definition.name)!.port;
  const config = loadConfig(serviceEnvSchema(defaultPort, definition.maxBodyBytes));
  const log = createLogger(definition.name);
  onShutdown(await initTracing(definition.name));
  const infra = await createInfra(process.env, { dataDir: config.DATA_DIR, service: definition.name, log });
  const running = await definition.start({
    host: config.HOST,
    port: config.PORT,
    log,
    maxBodyBytes: config.MAX_BODY_BYTES,
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    infra,
    identify: tokenIdentifier(remoteKeys(config.AUTH_JWKS_URL)),
    limits: operationLimitsFrom(config),
    gatewaySecret: config.GATEWAY_SECRET,
  });
  if (!config.GATEWAY_SECRET) {
    log.warn('GATEWAY_SECRET is not set: client addresses forwarded by the gateway are not trusted');
  }
  onShutdown(() => infra.close());
  onShutdown(() => running.close());
  return running;
}
