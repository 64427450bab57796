import { embeddedInfra, type Infra } from '../infra';
import { createLogger } from '../log';
import type { RunningService, ServiceDefinition } from '../service';
import { testTokens } from './auth';
import { gql, type GraphQLResponse } from './http';
import type { Viewer } from '../viewer';

/** A service started alone for its own tests, called as any viewer with real signed tokens. */
export interface ServiceUnderTest {
  service: RunningService;
  infra: Infra;
  call<D = Record<string, unknown>>(
    viewer: Viewer | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<D>>;
  /** Stops the service, and the infra unless it was given. */
  close(): Promise<void>;
}

/**
 * Starts a service on a free port as the embedded stack would, with in-memory data
 * unless `dataDir` is given, trusting tokens signed by a fresh test key.
 */
export async function startServiceForTest(
  definition: ServiceDefinition,
  options: { infra?: Infra; dataDir?: string } = {},
): Promise<ServiceUnderTest> {
  const tokens = await testTokens();
  const infra = options.infra ?? embeddedInfra();
  const service = await definition.start({
    host: '127.0.0.1',
    port: 0,
    log: createLogger(definition.name),
    maxBodyBytes: 1_048_576,
    infra,
    identify: tokens.identify,
    dataDir: options.dataDir,
  });
  return {
    service,
    infra,
    call: async (viewer, query, variables) =>
      gql(service.graphqlUrl, query, variables, viewer ? { authorization: await tokens.bearer(viewer) } : {}),
    close: async () => {
      await service.close();
      if (!options.infra) await infra.close();
    },
  };
}
