import { resolve } from 'node:path';
import { serverAudits } from 'graphql-http';
import { createLogger } from '@agora/kit/log';
import { REPO_ROOT } from '@agora/kit/paths';
import { testTokens } from '@agora/kit/testing';
import { startGateway, type RunningGateway } from '../src/gateway';
import { countingSubgraph } from './api-fixtures';

/**
 * Acceptance 7: the gateway passes every MUST and SHOULD audit of the `graphql-http`
 * package (the GraphQL over HTTP spec's reference audits); MAY items are optional.
 */
describe('GraphQL over HTTP audit (graphql-http)', () => {
  let subgraph: Awaited<ReturnType<typeof countingSubgraph>>;
  let gateway: RunningGateway;

  beforeAll(async () => {
    subgraph = await countingSubgraph();
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      log: createLogger('graphql-http-audit'),
      supergraphPath: resolve(REPO_ROOT, 'schema/supergraph.graphql'),
      subgraphUrls: subgraph.urls,
      maxBodyBytes: 1_000_000,
      identify: (await testTokens()).identify,
      rateLimits: false,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    subgraph?.server.close();
  });

  const audits = serverAudits({ url: () => gateway.graphqlUrl });
  const required = audits.filter((audit) => /^(MUST|SHOULD)\b/.test(audit.name));

  it('has MUST and SHOULD audits to pass', () => {
    expect(required.length).toBeGreaterThan(30);
  });

  it.each(required.map((audit) => [`${audit.id} ${audit.name}`, audit] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    expect({ status: result.status, reason: 'reason' in result ? result.reason : undefined }).toEqual({
      status: 'ok',
      reason: undefined,
    });
  });
});
