import type { IncomingMessage } from 'node:http';

/**
 * The `x-forwarded-for` the subgraphs get (auth rate-limits logins by it): the caller's
 * socket address, replacing whatever the client claimed. With `trustProxy` (the gateway
 * sits behind a proxy that sets the header) the incoming chain is kept and the peer appended,
 * so its left-most entry is the client the proxy saw.
 */
export function forwardedFor(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const incoming = req.headers['x-forwarded-for'];
  const chain = Array.isArray(incoming) ? incoming.join(', ') : incoming;
  return trustProxy && chain ? `${chain}, ${peer}` : peer;
}

/**
 * The client's address for rate limits and connection caps: the socket's peer, or with
 * `trustProxy` the left-most entry of the chain the proxy passed on.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  return forwardedFor(req, trustProxy).split(',')[0]!.trim();
}
