import { spawn } from 'node:child_process';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** What one subscription has received so far, as a test reads it. */
export interface Received {
  results: { data?: unknown; errors?: unknown }[];
  errors: unknown[];
  completed: boolean;
  /** Stops the subscription. */
  stop(): void;
}

/** A graphql-ws client (the library's own) over `ws`, as a third party would connect. */
export function wsClient(url: string, authorization?: string, onClosed?: (event: unknown) => void): Client {
  return createWsClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : undefined,
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => onClosed?.(event) },
  });
}

export function wsSubscribe(client: Client, query: string, variables?: Record<string, unknown>): Received {
  const received: Received = { results: [], errors: [], completed: false, stop: () => undefined };
  received.stop = client.subscribe(
    { query, variables },
    {
      next: (result) => void received.results.push(result),
      error: (error) => void received.errors.push(error),
      complete: () => void (received.completed = true),
    },
  );
  return received;
}

/** A graphql-sse client (distinct connections, or one reserved stream with `singleConnection`). */
export function sseClient(url: string, options: { authorization?: string; singleConnection?: boolean } = {}) {
  return createSseClient({
    url,
    singleConnection: options.singleConnection ?? false,
    headers: options.authorization ? { authorization: options.authorization } : undefined,
    retryAttempts: 0,
  });
}

export function sseSubscribe(
  client: ReturnType<typeof sseClient>,
  query: string,
  variables?: Record<string, unknown>,
): Received {
  const received: Received = { results: [], errors: [], completed: false, stop: () => undefined };
  received.stop = client.subscribe(
    { query, variables },
    {
      next: (result) => void received.results.push(result),
      error: (error) => void received.errors.push(error),
      complete: () => void (received.completed = true),
    },
  );
  return received;
}

/**
 * `curl -N` posting a subscription with `accept: text/event-stream`, as the API guide shows;
 * `output` grows as events arrive, `exited` settles when curl ends.
 */
export function curlSse(url: string, body: unknown, headers: Record<string, string> = {}) {
  const args = ['-N', '-s', '-H', 'accept: text/event-stream', '-H', 'content-type: application/json'];
  for (const [key, value] of Object.entries(headers)) args.push('-H', `${key}: ${value}`);
  args.push('-w', '\n%{http_code}', '-d', JSON.stringify(body), url);
  const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const curl = {
    output: '',
    exited: new Promise<number | null>((resolve) => child.once('exit', resolve)),
    /** The `data:` of every `event: next`. */
    events: () =>
      [...curl.output.matchAll(/event: next\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>),
    stop: () => child.kill(),
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (curl.output += chunk));
  return curl;
}
