import type { RequestContext } from '@agora/kit/subgraph';
import type { Accounts } from './accounts';
import type { ApiKeys } from './api-keys';

/** What auth resolvers get per request. */
export interface Context extends RequestContext {
  accounts: Accounts;
  apiKeys: ApiKeys;
}
