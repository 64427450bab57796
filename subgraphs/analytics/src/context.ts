import type { RequestContext } from '@agora/kit/subgraph';
import type { ApiCallStore } from './store/calls';
import type { RollupStore } from './store/rollups';

/** What analytics resolvers get per request. */
export interface Context extends RequestContext {
  calls: ApiCallStore;
  rollups: RollupStore;
}
