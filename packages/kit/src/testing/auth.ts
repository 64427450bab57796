import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ACCESS_TOKEN, localKeys, tokenIdentifier, type Identify } from '../auth';
import type { Viewer } from '../viewer';

/**
 * For a service's own tests: a fresh Ed25519 key, the Identify that trusts it, and a signer
 * of access tokens for any viewer, so a subgraph can be tested alone with real tokens.
 */
export async function testTokens(): Promise<{ identify: Identify; bearer: (viewer: Viewer) => Promise<string> }> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'EdDSA', use: 'sig' };
  const identify = tokenIdentifier(localKeys({ keys: [jwk] }));
  const bearer = async (viewer: Viewer) =>
    `Bearer ${await new SignJWT({ roles: viewer.roles })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
      .setSubject(viewer.id)
      .setIssuer(ACCESS_TOKEN.issuer)
      .setAudience(ACCESS_TOKEN.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)}`;
  return { identify, bearer };
}
