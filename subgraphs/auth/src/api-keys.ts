import { isApiKeyFormat, type ApiKeyCheck } from '@agora/kit/auth';
import { apiError, forbidden, notFound } from '@agora/kit/errors';
import { requireViewer, type Viewer } from '@agora/kit/viewer';
import type { AccessTokens } from './access-tokens';
import {
  API_KEY_TOKEN_TTL_SECONDS,
  apiKeyInput,
  hashApiKey,
  MAX_LIVE_API_KEYS,
  newApiKeySecret,
} from './domain/api-keys';
import { rolesOf } from './domain/roles';
import type { ApiKeyRecord, ApiKeyStore } from './store/api-keys';
import type { RoleStore } from './store/roles';

/**
 * API keys for third-party clients: created, listed and revoked by their owner (signed in
 * with a session, not with a key), shown once and stored hashed. The gateway asks `check`
 * on every request made with a key, so revocation and expiry apply to the very next request.
 */
export class ApiKeys {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly tokens: AccessTokens,
    private readonly roles: RoleStore,
  ) {}

  async create(
    viewer: Viewer | null,
    input: { name: string; expiresAt?: string | Date | null },
  ): Promise<{ key: string; apiKey: ApiKeyRecord }> {
    const owner = this.sessionOwner(viewer);
    const { name, expiresAt } = apiKeyInput(input, Date.now());
    const secret = newApiKeySecret();
    const apiKey = await this.store.insert(
      { userId: owner.id, name, prefix: secret.prefix, hash: secret.hash, expiresAt },
      MAX_LIVE_API_KEYS,
    );
    if (!apiKey) {
      throw apiError('CONFLICT', `You already have ${MAX_LIVE_API_KEYS} live API keys; revoke one first`);
    }
    return { key: secret.key, apiKey };
  }

  list(viewer: Viewer | null): Promise<ApiKeyRecord[]> {
    return this.store.list(requireViewer(viewer).id);
  }

  async revoke(viewer: Viewer | null, id: string): Promise<boolean> {
    const owner = this.sessionOwner(viewer);
    const outcome = await this.store.revoke(owner.id, id);
    if (outcome === 'missing') throw notFound('No such API key');
    return outcome === 'revoked';
  }

  /** The gateway's check of a key in use: its owner and a short-lived token for the subgraphs, or null. */
  async check(key: string): Promise<ApiKeyCheck | null> {
    if (!isApiKeyFormat(key)) return null;
    const found = await this.store.use(hashApiKey(key));
    if (!found) return null;
    const roles = rolesOf(await this.roles.of(found.userId));
    const accessToken = await this.tokens.sign(found.userId, roles, {
      apiKeyId: found.id,
      ttlSeconds: API_KEY_TOKEN_TTL_SECONDS,
    });
    return { apiKeyId: found.id, viewer: { id: found.userId, roles, apiKeyId: found.id }, accessToken };
  }

  /** Keys are managed from a session: a key that leaked must not be able to mint more. */
  private sessionOwner(viewer: Viewer | null): Viewer {
    const owner = requireViewer(viewer);
    if (owner.apiKeyId) throw forbidden('API keys are managed from a signed-in session, not with an API key');
    return owner;
  }
}
