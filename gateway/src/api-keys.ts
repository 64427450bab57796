import { GraphQLError } from 'graphql';
import { API_KEY_CHECK_PATH, isApiKeyFormat, type ApiKeyCheck } from '@agora/kit/auth';
import { GATEWAY_SIGNATURE_HEADER, gatewaySignature } from '@agora/kit/gateway-trust';

/** Checks an API key: who it belongs to and a token for the subgraphs, or null when refused. */
export type ApiKeyVerifier = (key: string) => Promise<ApiKeyCheck | null>;

export const looksLikeApiKey = isApiKeyFormat;

/** Where the auth service checks keys, from its JWKS URL (same origin). */
export const apiKeyCheckUrl = (jwksUrl: string) => new URL(API_KEY_CHECK_PATH, jwksUrl).toString();

/**
 * Asks the auth service about every use of a key (its database, no cache): revoking a key
 * takes effect for the very next request on every gateway replica. The request is signed
 * with the secret the gateway shares with the subgraphs; auth answers no one else.
 */
export function remoteApiKeyVerifier(options: { url: string; secret: string; fetch?: typeof fetch }): ApiKeyVerifier {
  const fetcher = options.fetch ?? fetch;
  return async (key) => {
    if (!isApiKeyFormat(key)) return null;
    const body = JSON.stringify({ key });
    let response: Response;
    try {
      response = await fetcher(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [GATEWAY_SIGNATURE_HEADER]: gatewaySignature(options.secret, body),
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      throw unavailable();
    }
    if (response.status === 401) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw unavailable();
    }
    return (await response.json()) as ApiKeyCheck;
  };
}

const unavailable = () =>
  new GraphQLError('API keys cannot be checked right now; try again shortly', {
    extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
  });
