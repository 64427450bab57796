import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { DataSource } from 'typeorm';
import { badInput } from '@agora/kit/errors';
import { CONFIGURABLE_KINDS, type ConfigurableKind } from './domain/kinds';

const ISSUER = 'agora-notifications';
const AUDIENCE = 'agora-unsubscribe';
const SECRET_NAME = 'unsubscribe-hmac';

/**
 * The tokens of unsubscribe links: an HS256 JWT (jose) naming the account and the kind,
 * signed with a 256-bit key that this service makes on its first start and keeps in its
 * database (so the subgraph and the mail worker, and every replica, share it). They work
 * without signing in and do not expire; any change to one breaks its signature.
 */
export class UnsubscribeTokens {
  private constructor(private readonly key: Uint8Array) {}

  static async open(db: DataSource): Promise<UnsubscribeTokens> {
    await db.query(`INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
      SECRET_NAME,
      randomBytes(32).toString('base64url'),
    ]);
    const [row] = (await db.query(`SELECT value FROM secrets WHERE name = $1`, [SECRET_NAME])) as { value: string }[];
    return new UnsubscribeTokens(Buffer.from(row!.value, 'base64url'));
  }

  sign(userId: string, kind: ConfigurableKind): Promise<string> {
    return new SignJWT({ kind })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(userId)
      .setIssuedAt()
      .sign(this.key);
  }

  /** The account and kind of a genuine token; BAD_USER_INPUT for anything altered or forged. */
  async verify(token: string): Promise<{ userId: string; kind: ConfigurableKind }> {
    const invalid = () => badInput('This unsubscribe link is invalid', 'token');
    if (typeof token !== 'string' || token.length > 2_000) throw invalid();
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      const kind = payload.kind;
      if (typeof payload.sub !== 'string' || !(CONFIGURABLE_KINDS as readonly unknown[]).includes(kind)) {
        throw invalid();
      }
      return { userId: payload.sub, kind: kind as ConfigurableKind };
    } catch {
      throw invalid();
    }
  }
}
