import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * How a subgraph knows a request really comes from the gateway: both share a secret
 * (GATEWAY_SECRET; embedded mode makes one per process), and the gateway signs the
 * `x-forwarded-for` it sends with an HMAC-SHA256 of it in this header. A subgraph trusts the
 * forwarded client address only when the signature matches; anyone else reaching a subgraph
 * directly is known by their socket address, whatever `x-forwarded-for` they send. The same
 * signature, over the request body, guards the auth service's internal API-key check.
 */
export const GATEWAY_SIGNATURE_HEADER = 'x-agora-gateway-signature';

/** A fresh secret (256 bits) for a process that runs the gateway and its subgraphs together. */
export const newGatewaySecret = () => randomBytes(32).toString('base64url');

export function gatewaySignature(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

export function verifyGatewaySignature(secret: string | undefined, value: string, signature: unknown): boolean {
  if (!secret || typeof signature !== 'string') return false;
  const expected = Buffer.from(gatewaySignature(secret, value));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface ClientOrigin {
  /** The client's address: the gateway's signed `x-forwarded-for` (left-most entry), else the socket peer. */
  address: string;
  /** The request was signed by the gateway. */
  fromGateway: boolean;
}

/** Who is calling a subgraph (see GATEWAY_SIGNATURE_HEADER). */
export function clientOrigin(req: IncomingMessage, secret: string | undefined): ClientOrigin {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const header = req.headers['x-forwarded-for'];
  const forwarded = Array.isArray(header) ? header.join(', ') : header;
  if (forwarded === undefined || !verifyGatewaySignature(secret, forwarded, req.headers[GATEWAY_SIGNATURE_HEADER])) {
    return { address: peer, fromGateway: false };
  }
  return { address: forwarded.split(',')[0]?.trim() || peer, fromGateway: true };
}
