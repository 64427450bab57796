import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { SUBGRAPHS } from '@agora/contracts/subgraphs';

/**
 * A stand-in for every subgraph that counts the requests it gets and answers each with no
 * panels: enough for the gateway to plan and run simple queries, and the proof that an
 * operation refused by a limit never reached a subgraph.
 */
export async function countingSubgraph() {
  const subgraph = { calls: 0, server: undefined as unknown as Server, url: '', urls: {} as Record<string, string> };
  subgraph.server = createServer((req, res) => {
    subgraph.calls += 1;
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { panels: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } } }));
    });
  });
  await new Promise<void>((done) => subgraph.server.listen(0, '127.0.0.1', done));
  subgraph.url = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}/graphql`;
  subgraph.urls = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, subgraph.url]));
  return subgraph;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const PANELS_WITH_POSTS =
  'panels(first: 100) { edges { node { posts(first: 100) { edges { node { id title body } } } } } }';

/** The attacks of issue 14, each with the code (and limit) it must be refused with. */
export const ATTACKS: Record<string, { query: string; code: string; limit?: string }> = {
  // 5 000 aliases of panels { posts(first: 100) }: about 519 kB, stopped by the token limit while parsing.
  'alias flood': {
    query: `{ ${range(5_000)
      .map((i) => `a${i}: ${PANELS_WITH_POSTS}`)
      .join(' ')} }`,
    code: 'GRAPHQL_PARSE_FAILED',
    limit: 'tokens',
  },
  // 100 aliases of panels(first: 100), few tokens each, so that only the alias limit (30) stops them.
  aliases: {
    query: `{ ${range(100)
      .map((i) => `a${i}: panels(first: 100) { edges { cursor } }`)
      .join(' ')} }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    limit: 'aliases',
  },
  depth: {
    query: `{ panels { edges { node { ${'posts { edges { node { panel { '.repeat(4)}id${' } } } }'.repeat(4)} } } } }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    limit: 'depth',
  },
  'fragment cycle': {
    query: `query { panels { edges { node { ...A } } } }
      fragment A on Panel { posts { edges { node { panel { ...B } } } } }
      fragment B on Panel { name ...A }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  cost: { query: `{ ${PANELS_WITH_POSTS} }`, code: 'COST_ESTIMATED_TOO_EXPENSIVE', limit: 'cost' },
  'root fields': {
    query: `{ ${range(20)
      .map((i) => `p${i}: panel(slug: "s${i}") { id }`)
      .join(' ')} }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    limit: 'rootFields',
  },
  directives: {
    query: `{ panels(first: 1) { edges { cursor ${'@include(if: true) '.repeat(60)}} } }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
    limit: 'directives',
  },
};

export interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[]; extensions?: unknown };
}

/** POST over HTTP, the GraphQL-over-HTTP media type unless said otherwise. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

/** An SSE request (distinct connection) that is refused before its stream starts: the JSON answer. */
export async function sse(
  url: string,
  init: { method?: 'GET' | 'POST'; body?: unknown; search?: Record<string, string>; headers?: Record<string, string> },
): Promise<Answer> {
  const target = new URL(url);
  for (const [key, value] of Object.entries(init.search ?? {})) target.searchParams.set(key, value);
  const response = await fetch(target, {
    method: init.method ?? 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, body };
}

/**
 * One graphql-ws operation on a raw socket that stays open: the `error` or `next` messages
 * it gets, and whether the socket was closed (and with what code) meanwhile.
 */
export async function wsOperation(
  socket: WebSocket,
  id: string,
  payload: Record<string, unknown>,
): Promise<{ type: string; payload?: unknown }> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as { id?: string; type: string; payload?: unknown };
      if (message.id !== id || message.type === 'complete') return;
      socket.off('message', onMessage);
      socket.off('close', onClose);
      resolve(message);
    };
    const onClose = (code: number, reason: Buffer) => reject(new Error(`socket closed: ${code} ${String(reason)}`));
    socket.on('message', onMessage);
    socket.once('close', onClose);
    socket.send(JSON.stringify({ id, type: 'subscribe', payload }));
  });
}

/** A graphql-transport-ws socket after its connection_ack. */
export async function wsConnect(url: string, params?: Record<string, unknown>): Promise<WebSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
    socket.once('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'connection_ack') resolve();
      else reject(new Error(`expected connection_ack, got ${message.type}`));
    });
    socket.once('close', (code, reason) => reject(new Error(`socket closed: ${code} ${String(reason)}`)));
    socket.once('error', reject);
  });
  return socket;
}
