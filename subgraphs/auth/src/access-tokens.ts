import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet } from 'jose';
import { ACCESS_TOKEN } from '@agora/kit/auth';
import type { Role } from '@agora/kit/viewer';
import type { SigningKey, SigningKeyStore } from './store/signing-keys';

/** Access tokens are short-lived: a stolen one is worth 15 minutes; sessions live on in refresh tokens. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** A fresh Ed25519 key; its kid is the RFC 7638 thumbprint of its public half. */
export async function newSigningKey(): Promise<SigningKey> {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg: ACCESS_TOKEN.algorithms[0], use: 'sig' };
  return { kid, publicJwk: { ...publicJwk, ...meta }, privateJwk: { ...(await exportJWK(pair.privateKey)), ...meta } };
}

/**
 * Signs access tokens with the current key (EdDSA, kid in the header) and publishes the
 * public keys as a JWKS, which the gateway and the subgraphs verify tokens against.
 */
export class AccessTokens {
  private constructor(
    private readonly keys: SigningKeyStore,
    private readonly kid: string,
    private readonly privateKey: Awaited<ReturnType<typeof importJWK>>,
  ) {}

  /** Loads the current signing key, creating the first one on a new database. */
  static async open(keys: SigningKeyStore): Promise<AccessTokens> {
    const current = await keys.current(newSigningKey);
    return new AccessTokens(keys, current.kid, await importJWK(current.privateJwk, ACCESS_TOKEN.algorithms[0]));
  }

  /** `apiKeyId` marks a token minted for a request made with that API key (claim `akid`). */
  sign(userId: string, roles: Role[], options: { apiKeyId?: string; ttlSeconds?: number } = {}): Promise<string> {
    return new SignJWT({ roles, ...(options.apiKeyId && { akid: options.apiKeyId }) })
      .setProtectedHeader({ alg: ACCESS_TOKEN.algorithms[0], kid: this.kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ACCESS_TOKEN.issuer)
      .setAudience(ACCESS_TOKEN.audience)
      .setIssuedAt()
      .setExpirationTime(`${options.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS}s`)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  async jwks(): Promise<JSONWebKeySet> {
    return { keys: await this.keys.publicKeys(ACCESS_TOKEN_TTL_SECONDS * 1000) };
  }
}
