import { startServiceForTest, type ServiceUnderTest } from '@agora/kit/testing';
import { searchService } from '../src/service';

describe('search subgraph', () => {
  let search: ServiceUnderTest;
  beforeAll(async () => {
    search = await startServiceForTest(searchService);
  });
  afterAll(() => search?.close());

  it('answers its query over HTTP, on its own database', async () => {
    const res = await search.call(null, '{ searchStatus { service ready } }');
    expect(res).toEqual({ status: 200, data: { searchStatus: { service: 'search', ready: true } } });
  });
});
