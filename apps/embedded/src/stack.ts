import { resolve } from 'node:path';
import { gatewayConfig } from '@agora/gateway/config';
import { startGateway, type RunningGateway } from '@agora/gateway/gateway';
import { API_KEY_CHECK_PATH, remoteKeys, tokenIdentifier, type Identify } from '@agora/kit/auth';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { newGatewaySecret } from '@agora/kit/gateway-trust';
import { createLogger } from '@agora/kit/log';
import type { RunningService } from '@agora/kit/service';
import { subgraphEntry } from '@agora/contracts/subgraphs';
import { loadServices } from './services';

export interface EmbeddedStackOptions {
  /** Data folder (PGlite, documents, blobs); undefined keeps everything in memory. */
  dataDir?: string;
  gatewayPort: number;
  /** Port per subgraph; 0 picks a free one. Default: DESIGN.md's 4001–4007. */
  subgraphPort?: (name: string, defaultPort: number) => number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  /** Other ports than the in-process ones (tests of distributed adapters); the caller closes them. */
  infra?: Infra;
  /** PostgreSQL instead of PGlite: every service in its own schema of this database. */
  databaseUrl?: string;
}

export interface EmbeddedStack {
  gateway: RunningGateway;
  infra: Infra;
  services: RunningService[];
  close(): Promise<void>;
}

/**
 * Embedded mode: every subgraph on its own port and the gateway, in this process, over
 * real HTTP; PGlite, the in-process bus and queue, the memory cache.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<EmbeddedStack> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const infra = options.infra ?? embeddedInfra(dataDir);
  const config = gatewayConfig(options.env ?? process.env);
  // The gateway signs forwarded client addresses (and API-key checks) for its subgraphs.
  const gatewaySecret = config.GATEWAY_SECRET ?? newGatewaySecret();
  const services: RunningService[] = [];
  const closeAll = async () => {
    for (const service of services.reverse()) await service.close();
    if (!options.infra) await infra.close();
  };
  // Tokens are checked against the auth service's JWKS, known once auth has started.
  let jwksUrl: string | undefined;
  let verify: Identify | undefined;
  const identify: Identify = async (authorization) => {
    if (!authorization) return null;
    if (!jwksUrl) throw new Error('no auth service to verify access tokens');
    verify ??= tokenIdentifier(remoteKeys(jwksUrl));
    return verify(authorization);
  };
  try {
    // Started together: opening the PGlite databases is CPU-bound and there is a core to spare.
    const definitions = await loadServices();
    const results = await Promise.allSettled(
      definitions.map((service) => {
        const defaultPort = subgraphEntry(service.name).port;
        return service.start({
          host,
          port: options.subgraphPort?.(service.name, defaultPort) ?? defaultPort,
          log: createLogger(service.name),
          maxBodyBytes: config.MAX_BODY_BYTES,
          dataDir,
          databaseUrl: options.databaseUrl,
          infra,
          identify,
          limits: config.limits,
          gatewaySecret,
        });
      }),
    );
    for (const result of results) if (result.status === 'fulfilled') services.push(result.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const auth = services.find((s) => s.name === 'auth');
    if (auth) jwksUrl = `${auth.url}/.well-known/jwks.json`;
    const gateway = await startGateway({
      host,
      port: options.gatewayPort,
      log: createLogger('gateway'),
      supergraphPath: config.SUPERGRAPH_PATH,
      subgraphUrls: Object.fromEntries(services.map((s) => [s.name, s.graphqlUrl])),
      maxBodyBytes: config.MAX_BODY_BYTES,
      limits: config.limits,
      webRoot: config.WEB_ROOT,
      explorerRoot: config.EXPLORER_ROOT,
      identify,
      trustProxy: config.TRUST_PROXY,
      infra,
      subscriptionLimits: config.subscriptionLimits,
      connectionCaps: config.connectionCaps,
      usageLog: config.usageLog,
      cache: infra.cache,
      rateLimits: config.rateLimits,
      gatewaySecret,
      apiKeyCheckUrl: auth ? `${auth.url}${API_KEY_CHECK_PATH}` : undefined,
      persistedDocuments: config.persistedDocuments,
      // In process, like every port of embedded mode (never a REDIS_URL from the env).
      responseCache: config.responseCache && { ttlMs: config.responseCache.ttlMs },
    });
    return {
      gateway,
      infra,
      services,
      close: async () => {
        await gateway.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
