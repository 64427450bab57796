import type { RequestContext } from '@agora/kit/subgraph';
import type { PanelStore } from './store/panels';
import type { PostStore } from './store/posts';

/** What forum resolvers get per request. */
export interface Context extends RequestContext {
  panels: PanelStore;
  posts: PostStore;
}
