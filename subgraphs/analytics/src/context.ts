import type { RequestContext } from '@agora/kit/subgraph';

/** What analytics resolvers get per request: add the service's stores here. */
export type Context = RequestContext;
