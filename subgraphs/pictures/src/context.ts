import type { RequestContext } from '@agora/kit/subgraph';
import type { Pictures } from './pictures';
import type { PictureStore } from './store/pictures';

/** What pictures resolvers get per request. */
export interface Context extends RequestContext {
  store: PictureStore;
  pictures: Pictures;
}
