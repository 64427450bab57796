import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { identifyOr401, with401, type Identify } from '@agora/kit/auth';
import { unauthenticated } from '@agora/kit/errors';
import type { CallerClass } from '@agora/kit/operation-limits';
import type { Viewer } from '@agora/kit/viewer';
import { looksLikeApiKey, type ApiKeyVerifier } from './api-keys';

/** What a request presents to prove who it is. */
export interface Credentials {
  /** An `Authorization` value carrying an access token (JWT). */
  authorization?: string;
  /** An API key, from `x-api-key` or `Authorization: Bearer <key>`. */
  apiKey?: string;
}

/** Who calls, as the gateway acts for them. */
export interface Caller {
  /** The verified viewer; null: anonymous. */
  viewer: Viewer | null;
  /** What the subgraphs get as Authorization: the caller's token, or one minted for its API key. */
  authorization?: string;
  /** The x-forwarded-for to pass on (see auth.ts). */
  forwardedFor: string;
  /** The client's address (rate limits and connection caps). */
  address: string;
  /** Decides the cost ceiling and the rate limits that apply. */
  callerClass: CallerClass;
  /** The API key's id when the caller used one. */
  apiKeyId?: string;
  /** Kept to check an API key again for each new operation on a long-lived connection. */
  credentials?: Credentials;
  /** Its `apollographql-client-name` / `-version` headers (WebSocket and SSE), for API-call records. */
  client?: { name: string | null; version: string | null };
}

export type Authenticate = (
  credentials: Credentials,
  origin: { forwardedFor: string; address: string },
) => Promise<Caller>;

/** The credentials in a request's headers. */
export function credentialsOf(headers: IncomingHttpHeaders): Credentials {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const apiKey = header('x-api-key')?.trim();
  const authorization = header('authorization');
  if (apiKey) return { apiKey, authorization };
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (bearer && looksLikeApiKey(bearer)) return { apiKey: bearer };
  return { authorization };
}

/** Credentials given in a graphql-ws `connection_init` payload (`authorization`, `x-api-key`). */
export function credentialsOfParams(params: Record<string, unknown> | undefined, req: IncomingMessage): Credentials {
  const pick = (...names: string[]) => {
    for (const name of names) if (typeof params?.[name] === 'string') return params[name] as string;
    return undefined;
  };
  const authorization = pick('authorization', 'Authorization');
  const apiKey = pick('x-api-key', 'apiKey', 'X-Api-Key');
  if (authorization === undefined && apiKey === undefined) return credentialsOf(req.headers);
  return credentialsOf({ authorization, 'x-api-key': apiKey });
}

/**
 * Turns credentials into a caller: an access token is verified against the auth service's
 * keys (JWKS) right here; an API key is checked by the auth service on every use (no cache,
 * so a revoked key stops at once on every replica), which answers with a short-lived access
 * token for the subgraphs. Bad credentials are UNAUTHENTICATED with HTTP 401; none, anonymous.
 */
export function authenticator(options: { identify: Identify; apiKeys?: ApiKeyVerifier }): Authenticate {
  return async (credentials, origin) => {
    const base = { forwardedFor: origin.forwardedFor, address: origin.address };
    if (credentials.apiKey !== undefined) {
      if (!options.apiKeys) throw with401(unauthenticated('API keys are not accepted here'));
      const verified = await options.apiKeys(credentials.apiKey);
      if (!verified) throw with401(unauthenticated('Invalid, expired or revoked API key'));
      return {
        ...base,
        viewer: verified.viewer,
        authorization: `Bearer ${verified.accessToken}`,
        callerClass: 'apiKey',
        apiKeyId: verified.apiKeyId,
        credentials,
      };
    }
    const viewer = await identifyOr401(options.identify, credentials.authorization);
    return {
      ...base,
      viewer,
      authorization: viewer ? credentials.authorization : undefined,
      callerClass: viewer ? 'user' : 'anonymous',
    };
  };
}
