import type { RequestContext } from '@agora/kit/subgraph';
import type { ProfileStore } from './store/profiles';
import type { RelationStore } from './store/relations';

/** What users resolvers get per request. */
export interface Context extends RequestContext {
  profiles: ProfileStore;
  relations: RelationStore;
}
