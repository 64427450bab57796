import { createGraphiQLFetcher, type Fetcher, type FetcherOpts, type FetcherParams } from '@graphiql/toolkit';
import { getOperationAST, parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

/**
 * Queries and mutations over HTTP POST; subscriptions over WebSocket (graphql-ws), whose
 * `connection_init` carries the headers typed in GraphiQL (authorization, x-api-key), so a
 * signed-in explorer subscribes as its user. One socket per distinct set of headers.
 */
export function createExplorerFetcher(url: URL): Fetcher {
  const http = createGraphiQLFetcher({ url: url.toString() });
  const wsUrl = new URL(url);
  wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const sockets = new Map<string, Client>();
  const socketFor = (headers: Record<string, unknown>) => {
    const key = JSON.stringify(headers);
    let client = sockets.get(key);
    if (!client) {
      client = createClient({ url: wsUrl.toString(), connectionParams: headers, lazy: true });
      sockets.set(key, client);
    }
    return client;
  };
  return (params: FetcherParams, options?: FetcherOpts) => {
    if (!isSubscription(params)) return http(params, options);
    const client = socketFor(options?.headers ?? {});
    return {
      [Symbol.asyncIterator]() {
        const queue: unknown[] = [];
        let wake: (() => void) | undefined;
        let done = false;
        let failure: unknown;
        const dispose = client.subscribe(
          { query: params.query, variables: params.variables, operationName: params.operationName ?? undefined },
          {
            next: (value) => (queue.push(value), wake?.()),
            error: (error) => ((failure = error), (done = true), wake?.()),
            complete: () => ((done = true), wake?.()),
          },
        );
        return {
          async next(): Promise<IteratorResult<unknown>> {
            while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
            if (queue.length > 0) return { value: queue.shift(), done: false };
            if (failure) throw failure instanceof Error ? failure : new Error(describe(failure));
            return { value: undefined, done: true };
          },
          async return(): Promise<IteratorResult<unknown>> {
            dispose();
            done = true;
            return { value: undefined, done: true };
          },
        };
      },
    } as never;
  };
}

function isSubscription(params: FetcherParams): boolean {
  try {
    return getOperationAST(parse(params.query), params.operationName)?.operation === 'subscription';
  } catch {
    return false;
  }
}

function describe(failure: unknown): string {
  if (failure && typeof failure === 'object' && 'reason' in failure)
    return `Connection closed: ${String(failure.reason)}`;
  return JSON.stringify(failure);
}
