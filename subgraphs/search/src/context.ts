import type { RequestContext } from '@agora/kit/subgraph';
import type { SearchStore } from './store/search';

/** What search resolvers get per request. */
export interface Context extends RequestContext {
  search: SearchStore;
}
