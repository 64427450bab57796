import type { DataSource } from 'typeorm';
import { unauthenticated } from '@agora/kit/errors';
import type { Outbox } from '@agora/kit/outbox';
import { ACCESS_TOKEN_TTL_SECONDS, type AccessTokens } from './access-tokens';
import type { EmailVerifications } from './email-verification';
import { newAccount, normalizeEmail } from './domain/credentials';
import { rolesOf } from './domain/roles';
import type { RoleStore } from './store/roles';
import { userRegistered, TOPICS } from './events/topics';
import type { LoginLimiter } from './login-limiter';
import type { RegistrationLimiter } from './registration-limiter';
import { hashPassword, verifyPassword } from './passwords';
import type { CredentialStore } from './store/credentials';
import type { Rotation, SessionStore } from './store/sessions';

/** What register, login and refreshSession answer (GraphQL AuthPayload; `user` is a User reference). */
export interface AuthPayloadRecord {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string };
}

const REFRESH_REFUSED: Record<Extract<Rotation, { ok: false }>['reason'], string> = {
  unknown: 'Invalid refresh token',
  ended: 'This session has ended; sign in again',
  expired: 'This refresh token has expired; sign in again',
  reused: 'This refresh token was already used, so the session has been ended; sign in again',
};

/** The auth use cases: register, login, refresh, logout. */
export class Accounts {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: Outbox,
    private readonly credentials: CredentialStore,
    private readonly sessions: SessionStore,
    private readonly tokens: AccessTokens,
    private readonly limiter: LoginLimiter,
    private readonly roles: RoleStore,
    private readonly registrations: RegistrationLimiter,
    /** Registration asks for the new address to be verified (issue 15). */
    private readonly verifications?: EmailVerifications,
  ) {}

  /**
   * Account, first session, user.registered and the verification request: all in one
   * transaction, or none of it. Valid registrations are counted per client address before the
   * password is hashed.
   */
  async register(
    input: { email: string; password: string; handle: string; displayName?: string | null },
    clientAddress: string,
  ): Promise<AuthPayloadRecord> {
    const account = newAccount(input);
    await this.registrations.count(clientAddress);
    const passwordHash = await hashPassword(account.password);
    const { userId, refreshToken } = await this.outbox.transaction(async (tx, emit) => {
      const userId = await this.credentials.insert(tx, { email: account.email, handle: account.handle, passwordHash });
      const refreshToken = await this.sessions.open(tx, userId);
      emit(TOPICS.users, userRegistered({ userId, handle: account.handle, displayName: account.displayName }));
      await this.verifications?.request(tx, emit, userId, account.email);
      return { userId, refreshToken };
    });
    return this.payload(userId, account.email, refreshToken);
  }

  /** Wrong password and unknown email fail alike (same message, same argon2 work). */
  async login(input: { email: string; password: string }, clientAddress: string): Promise<AuthPayloadRecord> {
    const email = normalizeEmail(input.email);
    await this.limiter.check(email, clientAddress);
    const account = await this.credentials.byEmail(email);
    const valid = await verifyPassword(account?.passwordHash, input.password);
    if (!account || !valid) {
      await this.limiter.failed(email, clientAddress);
      throw unauthenticated('Wrong email or password');
    }
    const refreshToken = await this.db.transaction((tx) => this.sessions.open(tx, account.userId));
    return this.payload(account.userId, account.email, refreshToken);
  }

  /** A token presented twice within the grace period gets the same pair both times (SessionStore). */
  async refresh(refreshToken: string): Promise<AuthPayloadRecord> {
    const rotation = await this.sessions.rotate(refreshToken, async (userId, _email, tx) =>
      this.tokens.sign(userId, rolesOf(await this.roles.of(userId, tx))),
    );
    if (!rotation.ok) throw unauthenticated(REFRESH_REFUSED[rotation.reason]);
    return {
      accessToken: rotation.accessToken,
      refreshToken: rotation.refreshToken,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      user: { id: rotation.userId },
    };
  }

  logout(refreshToken: string): Promise<boolean> {
    return this.sessions.end(refreshToken);
  }

  /** Roles are read at each issue, so a grant (or revocation) applies from the next login or refresh. */
  private async payload(userId: string, _email: string, refreshToken: string): Promise<AuthPayloadRecord> {
    return {
      accessToken: await this.tokens.sign(userId, rolesOf(await this.roles.of(userId))),
      refreshToken,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      user: { id: userId },
    };
  }
}
