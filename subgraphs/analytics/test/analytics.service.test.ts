import { startServiceForTest, type ServiceUnderTest } from '@agora/kit/testing';
import { analyticsService } from '../src/service';

describe('analytics subgraph', () => {
  let analytics: ServiceUnderTest;
  beforeAll(async () => {
    analytics = await startServiceForTest(analyticsService);
  });
  afterAll(() => analytics?.close());

  it('answers its query over HTTP, on its own database', async () => {
    const res = await analytics.call(null, '{ analyticsStatus { service ready } }');
    expect(res).toEqual({ status: 200, data: { analyticsStatus: { service: 'analytics', ready: true } } });
  });
});
