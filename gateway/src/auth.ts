import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Identify } from '@agora/kit/auth';
import type { Viewer } from '@agora/kit/viewer';

/**
 * Verifies the caller's access token once per request, before any planning: a present but
 * bad token (forged or `alg: none` or HS256 signature, expired, unknown kid, wrong issuer or
 * audience) fails the request with UNAUTHENTICATED and HTTP 401; no token means an anonymous
 * caller. Subgraphs receive the Authorization header and verify it again, as each one
 * authorizes access to the data it owns.
 */
export async function verifyCaller(identify: Identify, authorization: string | undefined): Promise<Viewer | null> {
  try {
    return await identify(authorization);
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
      throw new GraphQLError(error.message, {
        extensions: {
          ...error.extensions,
          http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer error="invalid_token"']]) },
        },
      });
    }
    throw error;
  }
}

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
