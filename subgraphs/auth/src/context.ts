import type { RequestContext } from '@agora/kit/subgraph';
import type { Accounts } from './accounts';

/** What auth resolvers get per request. */
export interface Context extends RequestContext {
  accounts: Accounts;
}
