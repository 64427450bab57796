import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { commonEnv, loadConfig, port } from '@agora/kit/config';
import { REPO_ROOT } from '@agora/kit/paths';
import { SUBGRAPHS } from '@agora/contracts/subgraphs';
import type { ResponseCacheSettings } from './response-cache/settings';
import { DEFAULT_SUBSCRIPTION_LIMITS, type SubscriptionLimits } from './subscriptions';

/**
 * Gateway env: PORT (4000), HOST, SUPERGRAPH_PATH, MAX_BODY_BYTES, MAX_QUERY_DEPTH,
 * WEB_ROOT, AUTH_JWKS_URL (the auth service's public keys), SUBSCRIPTION_QUEUE_LIMIT (payloads
 * a subscriber may fall behind), SUBSCRIPTIONS_PER_CONNECTION, KEEP_ALIVE_MS (WebSocket
 * pings), TRUST_PROXY (true: keep the
 * caller's x-forwarded-for chain), RESPONSE_CACHE (on|off), RESPONSE_CACHE_TTL_MS, REDIS_URL (the
 * response cache shared by replicas), and SUBGRAPH_<NAME>_URL to point at a subgraph other than
 * the supergraph's URL (a comma-separated list of replicas' URLs: requests take them in turn).
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
      MAX_QUERY_DEPTH: z.coerce.number().int().positive().default(12),
      WEB_ROOT: z.string().default(resolve(REPO_ROOT, 'web/dist')),
      AUTH_JWKS_URL: z.string().url().default('http://127.0.0.1:4002/.well-known/jwks.json'),
      SUBSCRIPTION_QUEUE_LIMIT: z.coerce.number().int().positive().default(DEFAULT_SUBSCRIPTION_LIMITS.queueLimit),
      SUBSCRIPTIONS_PER_CONNECTION: z.coerce
        .number()
        .int()
        .positive()
        .default(DEFAULT_SUBSCRIPTION_LIMITS.maxSubscriptionsPerConnection),
      KEEP_ALIVE_MS: z.coerce.number().int().positive().default(DEFAULT_SUBSCRIPTION_LIMITS.keepAliveMs),
      TRUST_PROXY: z
        .enum(['true', 'false'])
        .default('false')
        .transform((value) => value === 'true'),
      // The response cache (response-cache/): shared through REDIS_URL when set.
      RESPONSE_CACHE: z.enum(['on', 'off']).default('on'),
      RESPONSE_CACHE_TTL_MS: z.coerce.number().int().positive().default(60_000),
      REDIS_URL: z.string().url().optional(),
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
  return { ...config, subgraphUrls, subscriptionLimits, responseCache };
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
