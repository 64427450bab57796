/**
 * Agora's gateway for `bench/gateway.ts`, in a process of its own: `startGateway` as
 * `npm start` and `start:distributed` run it, over SUBGRAPH_URLS (JSON), with the response
 * cache per RESPONSE_CACHE (on/off) and REDIS_URL (shared store), its events relayed by the
 * benchmark. Reports the cache's counters with its usage.
 */
import { resolve } from 'node:path';
import { startGateway } from '@agora/gateway/gateway';
import { gatewayConfig } from '@agora/gateway/config';
import { remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import { createLogger } from '@agora/kit/log';
import { MemoryNotices } from '@agora/kit/notices/memory';
import { REPO_ROOT } from '@agora/kit/paths';
import { failChild, serveChild } from './child';
import { RelayedEventLog } from './relay';

async function main() {
  const urls = JSON.parse(process.env.SUBGRAPH_URLS!) as Record<string, string | string[]>;
  // Like the baselines, no rate limit (the load comes from one address) and no cost ceiling
  // (fed-deep costs more than the public one allows); the operation limits are still checked.
  const config = gatewayConfig({
    RATE_LIMITS: 'false',
    MAX_COST_ANONYMOUS: '100000000',
    MAX_COST_USER: '100000000',
    ...process.env,
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
  });
  let supergraphPath = config.SUPERGRAPH_PATH;
  if (process.env.SUPERGRAPH_SDL_FILE) supergraphPath = resolve(REPO_ROOT, process.env.SUPERGRAPH_SDL_FILE);
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 0),
    log: createLogger('gateway'),
    supergraphPath,
    subgraphUrls: urls,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxDepth: config.MAX_QUERY_DEPTH,
    identify: process.env.AUTH_JWKS_URL ? tokenIdentifier(remoteKeys(process.env.AUTH_JWKS_URL)) : undefined,
    infra: { events: new RelayedEventLog(), notices: new MemoryNotices() },
    responseCache: config.responseCache,
    limits: config.limits,
    rateLimits: config.rateLimits,
  });
  serveChild({ url: gateway.graphqlUrl }, () => ({ ...(gateway.responseCache?.stats ?? {}) }));
}

main().catch(failChild);
