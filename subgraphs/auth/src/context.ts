import type { RequestContext } from '@agora/kit/subgraph';
import type { Accounts } from './accounts';
import type { ApiKeys } from './api-keys';
import type { EmailVerifications } from './email-verification';

/** What auth resolvers get per request. */
export interface Context extends RequestContext {
  accounts: Accounts;
  apiKeys: ApiKeys;
  verifications: EmailVerifications;
}
