import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { commonEnv, loadConfig, port } from '@agora/kit/config';
import { operationLimitsEnv, operationLimitsFrom } from '@agora/kit/operation-limits';
import { REPO_ROOT } from '@agora/kit/paths';
import { SUBGRAPHS } from '@agora/contracts/subgraphs';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from './rate-limits';
import type { ResponseCacheSettings } from './response-cache/settings';
import { DEFAULT_SUBSCRIPTION_LIMITS, type SubscriptionLimits } from './subscriptions';
import { DEFAULT_CONNECTION_CAPS, type ConnectionCapLimits } from './subscriptions/caps';
import { DEFAULT_USAGE_LOG_LIMITS, type UsageLogLimits } from './usage-log';

const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((value) => value === 'true');

/**
 * Gateway env: PORT (4000), HOST, SUPERGRAPH_PATH, MAX_BODY_BYTES, WEB_ROOT, EXPLORER_ROOT
 * (the built API explorer), AUTH_JWKS_URL (the auth service's public keys; its API-key check
 * is on the same origin unless AUTH_API_KEY_CHECK_URL says otherwise), GATEWAY_SECRET (shared
 * with the subgraphs: signs forwarded client addresses and API-key checks; without it no API
 * keys), SUBSCRIPTION_QUEUE_LIMIT (payloads a subscriber may fall behind),
 * SUBSCRIPTIONS_PER_CONNECTION, KEEP_ALIVE_MS (WebSocket pings), CONNECTIONS_PER_ADDRESS and
 * CONNECTIONS_PER_API_KEY (WebSockets, SSE streams and reservations at once), the operation
 * limits (MAX_TOKENS, MAX_QUERY_DEPTH, MAX_ALIASES, MAX_ROOT_FIELDS, MAX_DIRECTIVES,
 * DEFAULT_LIST_SIZE, MAX_COST_ANONYMOUS, MAX_COST_USER, MAX_COST_API_KEY), the rate limits
 * (RATE_LIMIT_WINDOW_SECONDS, RATE_LIMIT_ANONYMOUS per address, RATE_LIMIT_USER,
 * RATE_LIMIT_API_KEY; RATE_LIMITS=false turns them off), PERSISTED_DOCUMENTS (comma-separated
 * manifests of registered documents, default the web app's) and TRUSTED_DOCUMENTS (true: run
 * only those), TRUST_PROXY (true: keep the caller's x-forwarded-for chain),
 * RESPONSE_CACHE (on|off), RESPONSE_CACHE_TTL_MS, REDIS_URL (the response cache shared by
 * replicas), USAGE_LOG_BUFFER / USAGE_LOG_BATCH / USAGE_LOG_FLUSH_MS (API-call records, see
 * usage-log.ts), and SUBGRAPH_<NAME>_URL to point at a subgraph other than the supergraph's URL (a
 * comma-separated list of replicas' URLs: requests take them in turn).
 */
export function gatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(
    z.object({
      ...commonEnv,
      PORT: port(4000),
      SUPERGRAPH_PATH: z.string().default(resolve(REPO_ROOT, 'schema/supergraph.graphql')),
      // Uploads are base64 in a mutation: 10 MB of image is ~13.4 MB of text.
      MAX_BODY_BYTES: z.coerce
        .number()
        .int()
        .positive()
        .default(15 * 1024 * 1024),
      ...operationLimitsEnv,
      WEB_ROOT: z.string().default(resolve(REPO_ROOT, 'web/dist')),
      EXPLORER_ROOT: z.string().default(resolve(REPO_ROOT, 'gateway/explorer/dist')),
      AUTH_JWKS_URL: z.string().url().default('http://127.0.0.1:4002/.well-known/jwks.json'),
      AUTH_API_KEY_CHECK_URL: z.string().url().optional(),
      GATEWAY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
      CONNECTIONS_PER_ADDRESS: positive(DEFAULT_CONNECTION_CAPS.perAddress),
      CONNECTIONS_PER_API_KEY: positive(DEFAULT_CONNECTION_CAPS.perApiKey),
      RATE_LIMITS: flag('true'),
      RATE_LIMIT_WINDOW_SECONDS: positive(DEFAULT_RATE_LIMITS.windowSeconds),
      RATE_LIMIT_ANONYMOUS: positive(DEFAULT_RATE_LIMITS.anonymous),
      RATE_LIMIT_USER: positive(DEFAULT_RATE_LIMITS.user),
      RATE_LIMIT_API_KEY: positive(DEFAULT_RATE_LIMITS.apiKey),
      PERSISTED_DOCUMENTS: z.string().default(resolve(REPO_ROOT, 'web/src/__generated__/persisted-documents.json')),
      TRUSTED_DOCUMENTS: flag('false'),
      SUBSCRIPTION_QUEUE_LIMIT: z.coerce.number().int().positive().default(DEFAULT_SUBSCRIPTION_LIMITS.queueLimit),
      SUBSCRIPTIONS_PER_CONNECTION: z.coerce
        .number()
        .int()
        .positive()
        .default(DEFAULT_SUBSCRIPTION_LIMITS.maxSubscriptionsPerConnection),
      KEEP_ALIVE_MS: z.coerce.number().int().positive().default(DEFAULT_SUBSCRIPTION_LIMITS.keepAliveMs),
      TRUST_PROXY: flag('false'),
      // The response cache (response-cache/): shared through REDIS_URL when set.
      RESPONSE_CACHE: z.enum(['on', 'off']).default('on'),
      RESPONSE_CACHE_TTL_MS: z.coerce.number().int().positive().default(60_000),
      REDIS_URL: z.string().url().optional(),
      USAGE_LOG_BUFFER: positive(DEFAULT_USAGE_LOG_LIMITS.bufferSize),
      USAGE_LOG_BATCH: positive(DEFAULT_USAGE_LOG_LIMITS.batchSize),
      USAGE_LOG_FLUSH_MS: positive(DEFAULT_USAGE_LOG_LIMITS.flushIntervalMs),
    }),
    env,
  );
  const subgraphUrls: Record<string, string[]> = {};
  for (const { name } of SUBGRAPHS) {
    const key = `SUBGRAPH_${name.toUpperCase()}_URL`;
    if (env[key]) subgraphUrls[name] = replicaUrls(key, env[key]);
  }
  const subscriptionLimits: SubscriptionLimits = {
    queueLimit: config.SUBSCRIPTION_QUEUE_LIMIT,
    maxSubscriptionsPerConnection: config.SUBSCRIPTIONS_PER_CONNECTION,
    keepAliveMs: config.KEEP_ALIVE_MS,
  };
  const connectionCaps: ConnectionCapLimits = {
    perAddress: config.CONNECTIONS_PER_ADDRESS,
    perApiKey: config.CONNECTIONS_PER_API_KEY,
  };
  const rateLimits: RateLimitConfig | false = config.RATE_LIMITS && {
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    anonymous: config.RATE_LIMIT_ANONYMOUS,
    user: config.RATE_LIMIT_USER,
    apiKey: config.RATE_LIMIT_API_KEY,
  };
  const responseCache: ResponseCacheSettings | undefined =
    config.RESPONSE_CACHE === 'on'
      ? {
          redisUrl: config.REDIS_URL,
          // Replicas over the same data share entries; stacks over other databases never do.
          redisPrefix: `agora:rc:${createHash('sha256')
            .update(config.DATABASE_URL ?? '')
            .digest('hex')
            .slice(0, 12)}`,
          ttlMs: config.RESPONSE_CACHE_TTL_MS,
        }
      : undefined;
  const usageLog: UsageLogLimits = {
    bufferSize: config.USAGE_LOG_BUFFER,
    batchSize: config.USAGE_LOG_BATCH,
    flushIntervalMs: config.USAGE_LOG_FLUSH_MS,
  };
  return {
    ...config,
    usageLog,
    subgraphUrls,
    subscriptionLimits,
    connectionCaps,
    rateLimits,
    responseCache,
    limits: operationLimitsFrom(config),
    persistedDocuments: {
      manifests: config.PERSISTED_DOCUMENTS.split(',')
        .map((path) => path.trim())
        .filter(Boolean),
      trusted: config.TRUSTED_DOCUMENTS,
    },
  };
}

/** `SUBGRAPH_<NAME>_URL`: one http(s) URL, or a comma-separated list of the replicas' URLs. */
function replicaUrls(key: string, value: string): string[] {
  const urls = value
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  const bad = urls.filter((url) => !isHttpUrl(url));
  if (urls.length === 0 || bad.length > 0) {
    throw new Error(`Invalid configuration:\n  ${key}: not a comma-separated list of http(s) URLs: ${value}`);
  }
  return urls;
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
