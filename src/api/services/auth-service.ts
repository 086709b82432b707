import { createHash } from 'node:crypto';
import { AppError } from '../../domain/errors';
import type { AccountService } from '../../identity/account-service';
import { hashPassword, passwordNeedsRehash, verifyPassword } from '../../identity/passwords';
import { revokeFamilyOf, rotateRefreshToken } from '../../identity/refresh-tokens';
import { findUserByEmail, insertUser, updatePasswordHash } from '../../db/repositories/users';
import type { Logger } from '../../infra/logger';
import { createRateLimiter } from '../../infra/rate-limit';
import { sessionFor, startSession, type Session } from '../auth/session';
import type { AppDeps } from '../deps';

type AuthDeps = Pick<AppDeps, 'config' | 'dataSource' | 'redis' | 'logger'>;

const invalidCredentials = () => new AppError(401, 'INVALID_CREDENTIALS', 'The email or password is incorrect.');

/**
 * Sign-up, sign-in, token refresh and sign-out, with their per-IP and per-account limits. The
 * life of an account after sign-up (verification, passwords, address) is AccountService's.
 */
export class AuthService {
  private readonly registerPerIp;
  private readonly loginPerIp;
  private readonly loginPerAccount;
  private readonly refreshPerIp;

  constructor(
    private readonly deps: AuthDeps,
    private readonly accounts: AccountService,
  ) {
    const limiter = (name: string, limit: { limit: number; windowSeconds: number }) =>
      createRateLimiter(deps.redis, { name, ...limit, logger: deps.logger });
    const limits = deps.config.rateLimits;
    this.registerPerIp = limiter('register-ip', limits.registerPerIp);
    this.loginPerIp = limiter('login-ip', limits.loginPerIp);
    this.loginPerAccount = limiter('login-account', limits.loginPerAccount);
    this.refreshPerIp = limiter('refresh-ip', limits.refreshPerIp);
  }

  /** A new member account and its first session; the verification link goes out in the background. */
  async register(
    request: { email: string; displayName: string; timezone?: string; password: string },
    ip: string,
  ): Promise<Session> {
    await this.registerPerIp.consume(ip);
    this.accounts.assertDomainAllowed(request.email);
    const passwordHash = await hashPassword(request.password);
    const { user, created } = await this.deps.dataSource.transaction(async (tx) => {
      const row = await insertUser(tx, {
        email: request.email,
        displayName: request.displayName,
        timezone: request.timezone ?? 'UTC',
        passwordHash,
      });
      return { user: row, created: await startSession(tx, this.deps.config.jwtSecret, row) };
    });
    this.accounts.sendVerification(user);
    return created;
  }

  /** The same refusal whether or not the email has an account (and for display accounts). */
  async login(email: string, password: string, ip: string): Promise<Session> {
    await this.loginPerIp.consume(ip);
    // Keyed by a digest: Redis keys then carry no email addresses.
    await this.loginPerAccount.consume(createHash('sha256').update(email).digest('hex'));
    const { dataSource, config } = this.deps;
    const user = await findUserByEmail(dataSource, email);
    const ok = await verifyPassword(user?.password_hash, password);
    if (!user || !ok || user.role === 'display') throw invalidCredentials();
    if (passwordNeedsRehash(user.password_hash!))
      await updatePasswordHash(dataSource, user.id, await hashPassword(password));
    return startSession(dataSource, config.jwtSecret, user);
  }

  /** Each refresh token works once; a reused one revokes its whole family. */
  async refresh(refreshToken: string, ip: string, log: Logger = this.deps.logger): Promise<Session> {
    await this.refreshPerIp.consume(ip);
    const { user, refreshToken: next } = await rotateRefreshToken(this.deps.dataSource, refreshToken, log);
    return sessionFor(this.deps.config.jwtSecret, user, next);
  }

  /** Revokes the token and every token rotated from it (nothing when it was already invalid). */
  async logout(refreshToken: string): Promise<void> {
    await revokeFamilyOf(this.deps.dataSource, refreshToken);
  }
}
