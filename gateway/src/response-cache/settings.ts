import type { ApolloGateway } from '@apollo/gateway';
import type { Identify } from '@agora/kit/auth';
import type { Infra } from '@agora/kit/infra';
import type { Logger } from '@agora/kit/log';
import { ResponseCache } from './index';
import { MemoryResponseStore, RedisResponseStore } from './store';

export interface ResponseCacheSettings {
  /** Shared by every replica through this Redis; unset keeps entries in this process. */
  redisUrl?: string;
  /** Key prefix in Redis (replicas of one deployment share it). */
  redisPrefix?: string;
  ttlMs?: number;
  cooldownMs?: number;
  /** In-process store: most entries kept. */
  maxEntries?: number;
}

/**
 * The gateway's response cache from its options, following every supergraph the gateway
 * loads. None without settings, or without the event ports: entries nobody invalidates
 * would go stale.
 */
export function responseCacheFor(
  options: {
    responseCache?: ResponseCacheSettings;
    log: Logger;
    identify?: Identify;
    maxBodyBytes: number;
    infra?: Pick<Infra, 'events'>;
  },
  gateway: ApolloGateway,
  /** Registered documents by hash (persisted-documents manifests): requests sent by id are cached too. */
  documentFor?: (hash: string) => string | undefined,
): (ResponseCache & { ready: Promise<void> }) | undefined {
  const settings = options.responseCache;
  if (!settings) return undefined;
  if (!options.infra) {
    options.log.warn('response cache off: it needs the event log to stay current');
    return undefined;
  }
  const { log } = options;
  const store = settings.redisUrl
    ? new RedisResponseStore(settings.redisUrl, {
        prefix: settings.redisPrefix,
        onError: (err) => log.warn({ err }, 'response cache: redis connection error'),
      })
    : new MemoryResponseStore(settings.maxEntries);
  const cache = new ResponseCache({
    store,
    log,
    identify: options.identify,
    ttlMs: settings.ttlMs,
    cooldownMs: settings.cooldownMs,
    maxBodyBytes: options.maxBodyBytes,
    documentFor,
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => cache.schemaChanged(apiSchema, coreSupergraphSdl));
  const ready = cache.start(options.infra.events);
  log.info({ shared: Boolean(settings.redisUrl) }, 'response cache on');
  return Object.assign(cache, { ready });
}
