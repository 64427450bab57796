import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Subgraph calls go through one keep-alive connection pool per origin (undici), instead
 * of a new TCP connection per request.
 */
export function keepAliveFetcher() {
  // A replica that accepts the connection but never answers (hung, stopped) fails the request
  // after 30 s instead of holding it for undici's default of 5 minutes; replicas.ts ejects it.
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connections: 128,
    pipelining: 1,
    connectTimeout: 2_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const fetcher = ((input: string, init?: Record<string, unknown>) =>
    undiciFetch(input, { ...init, dispatcher: agent } as never)) as unknown as typeof fetch;
  return { fetcher, close: () => agent.close() };
}
