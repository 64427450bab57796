import { resolve } from 'node:path';
import { gatewayConfig } from '@agora/gateway/config';
import { startGateway, type RunningGateway } from '@agora/gateway/gateway';
import { embeddedInfra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import type { RunningService } from '@agora/kit/service';
import { SUBGRAPHS } from '@agora/kit/subgraphs';
import { SERVICES } from './services';

export interface EmbeddedStackOptions {
  /** Data folder (PGlite, documents, blobs); undefined keeps everything in memory. */
  dataDir?: string;
  gatewayPort: number;
  /** Port per subgraph; 0 picks a free one. Default: DESIGN.md's 4001–4007. */
  subgraphPort?: (name: string, defaultPort: number) => number;
  host?: string;
  env?: NodeJS.ProcessEnv;
}

export interface EmbeddedStack {
  gateway: RunningGateway;
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
  const infra = embeddedInfra(dataDir);
  const config = gatewayConfig(options.env ?? process.env);
  const services: RunningService[] = [];
  const closeAll = async () => {
    for (const service of services.reverse()) await service.close();
    await infra.close();
  };
  try {
    // Started one at a time: PGlite start-up is CPU-bound, so parallel start gains nothing.
    for (const service of SERVICES) {
      const defaultPort = SUBGRAPHS.find((s) => s.name === service.name)!.port;
      services.push(
        await service.start({
          host,
          port: options.subgraphPort?.(service.name, defaultPort) ?? defaultPort,
          log: createLogger(service.name),
          maxBodyBytes: config.MAX_BODY_BYTES,
          dataDir,
          infra,
        }),
      );
    }
    const gateway = await startGateway({
      host,
      port: options.gatewayPort,
      log: createLogger('gateway'),
      supergraphPath: config.SUPERGRAPH_PATH,
      subgraphUrls: Object.fromEntries(services.map((s) => [s.name, s.graphqlUrl])),
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxDepth: config.MAX_QUERY_DEPTH,
      webRoot: config.WEB_ROOT,
    });
    return {
      gateway,
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
