import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { unauthenticated } from './errors';
import type { Role, Viewer } from './viewer';

/** Claims of Agora access tokens (issued by the auth subgraph, EdDSA-signed, with a kid). */
export const ACCESS_TOKEN = { issuer: 'agora-auth', audience: 'agora', algorithms: ['EdDSA'] } as const;

/** Turns an Authorization header into the viewer it proves, null when absent. */
export type Identify = (authorization: string | undefined) => Promise<Viewer | null>;

/** UNAUTHENTICATED with HTTP 401 and the Bearer challenge of RFC 6750 (an invalid token). */
export function with401(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: {
      ...error.extensions,
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer error="invalid_token"']]) },
    },
  });
}

/**
 * `identify`, with a refused token answered as the caller's mistake (401, see with401),
 * never a 500; other failures (keys unreachable) pass through as they are.
 */
export async function identifyOr401(identify: Identify, authorization: string | undefined): Promise<Viewer | null> {
  try {
    return await identify(authorization);
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') throw with401(error);
    throw error;
  }
}

/**
 * Verifies Bearer access tokens against a key set: signature (EdDSA only, so `alg: none`
 * and HS256-with-the-public-key are refused), issuer, audience, expiry. A present but bad
 * token is UNAUTHENTICATED, never anonymous.
 */
export function tokenIdentifier(keys: JWTVerifyGetKey): Identify {
  return async (authorization) => {
    if (!authorization) return null;
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization.trim());
    if (!match) throw unauthenticated('Authorization must be "Bearer <access token>"');
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1]!, keys, {
        issuer: ACCESS_TOKEN.issuer,
        audience: ACCESS_TOKEN.audience,
        algorithms: [...ACCESS_TOKEN.algorithms],
      }));
    } catch {
      throw unauthenticated('Invalid or expired access token');
    }
    if (typeof payload.sub !== 'string') throw unauthenticated('Invalid access token');
    const roles = Array.isArray(payload.roles)
      ? (payload.roles.filter((r) => r === 'user' || r === 'admin') as Role[])
      : [];
    const viewer: Viewer = { id: payload.sub, roles: roles.length > 0 ? roles : ['user'] };
    // Tokens the auth service mints for an API key's request name the key (`akid`).
    if (typeof payload.akid === 'string') viewer.apiKeyId = payload.akid;
    return viewer;
  };
}

/**
 * The auth service's JWKS over HTTP, cached; an unknown kid triggers a refetch, at most one
 * per `cooldownMs` (5 s; tests that rotate keys set it low rather than sleep through it).
 */
export function remoteKeys(jwksUrl: string, options: { cooldownMs?: number } = {}): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), {
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: options.cooldownMs ?? 5_000,
  });
}

export function localKeys(jwks: JSONWebKeySet): JWTVerifyGetKey {
  return createLocalJWKSet(jwks);
}

/**
 * API keys (owned by the auth service): `agora_` and 43 base64url characters (256 random
 * bits). Callers send one as `x-api-key: <key>` or `Authorization: Bearer <key>`.
 */
export const API_KEY_PREFIX = 'agora_';
export const isApiKeyFormat = (value: string) => /^agora_[A-Za-z0-9_-]{43}$/.test(value);

/**
 * The auth service's internal check of an API key, for the gateway only: POST JSON
 * `{ key }`, signed with the gateway secret over the body (gateway-trust.ts). 200 answers
 * {@link ApiKeyCheck}; 401 means unknown, expired or revoked.
 */
export const API_KEY_CHECK_PATH = '/internal/api-keys/check';

export interface ApiKeyCheck {
  apiKeyId: string;
  viewer: Viewer;
  /** A short-lived access token for the subgraphs (claim `akid` = the key's id). */
  accessToken: string;
}
