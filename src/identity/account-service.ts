import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { AppError } from '../domain/errors';
import type { Logger } from '../infra/logger';
import { createRateLimiter } from '../infra/rate-limit';
import type { Redis } from '../infra/redis';
import { verifyEmailVerificationToken, verifyPasswordResetToken } from '../mail/tokens';
import { createAccountMail, type AccountMail } from './account-mail';
import { hashPassword, verifyPassword } from './passwords';
import { normalizeEmail } from '../domain/accounts';
import { revokeAllFamilies } from '../db/repositories/sessions';
import {
  changeEmail,
  findUserByEmail,
  findUserById,
  markEmailVerified,
  replacePasswordHash,
  type UserRow,
} from '../db/repositories/users';
import { passwordStamp } from './users';

interface AccountDeps {
  config: Config;
  dataSource: DataSource;
  redis: Redis;
  logger: Logger;
}

const invalidLink = () => new AppError(400, 'INVALID_LINK', 'This link is invalid, was already used or has expired.');
const wrongPassword = () => new AppError(403, 'WRONG_PASSWORD', 'The current password is not correct.');
/** Redis keys and logs carry a digest, never the address. */
const addressKey = (email: string) => createHash('sha256').update(normalizeEmail(email)).digest('hex');

/**
 * The life of an account after sign-up: proving its address, changing and resetting its
 * password, changing its address. Links in mail are signed tokens (src/mail/tokens.ts) whose
 * single use is a conditional update here, so two uses of one link cannot both act.
 */
export class AccountService {
  readonly mail: AccountMail;
  private readonly mailPerAddress;
  private readonly mailPerIp;
  private readonly passwordAttempts;

  constructor(private readonly deps: AccountDeps) {
    this.mail = createAccountMail(deps);
    const limiter = (name: string, limit: { limit: number; windowSeconds: number }) =>
      createRateLimiter(deps.redis, { name, ...limit, logger: deps.logger });
    this.mailPerAddress = limiter('account-mail-address', deps.config.rateLimits.accountMailPerAddress);
    this.mailPerIp = limiter('account-mail-ip', deps.config.rateLimits.accountMailPerIp);
    // A stolen access token must not become a password oracle: the login limit per account applies.
    this.passwordAttempts = limiter('login-account', deps.config.rateLimits.loginPerAccount);
  }

  /** REGISTRATION_DOMAINS: self-registration (and a change of address) only at the organisation's domains. */
  assertDomainAllowed(email: string): void {
    const domains = this.deps.config.registrationDomains;
    if (!domains) return;
    const domain = normalizeEmail(email).split('@').pop() ?? '';
    if (!domains.includes(domain)) {
      throw new AppError(422, 'EMAIL_DOMAIN_NOT_ALLOWED', `Accounts here need an address at ${domains.join(', ')}.`, {
        allowedDomains: domains,
      });
    }
  }

  /** Sends the verification link to a new or changed address (in the background). */
  sendVerification(user: UserRow): void {
    if (user.email_verified) return;
    void this.mail.verification(user);
  }

  async verifyEmail(token: string): Promise<UserRow> {
    const claim = verifyEmailVerificationToken(this.deps.config.jwtSecret, token);
    if (!claim) throw invalidLink();
    const verified = await markEmailVerified(this.deps.dataSource, claim.userId, claim.email);
    if (!verified) throw invalidLink();
    this.deps.logger.info({ userId: verified.id }, 'email verified');
    return verified;
  }

  /** Another verification link for the caller's own unverified address; nothing when it is verified already. */
  async resendVerification(userId: string, ip: string): Promise<void> {
    const user = await findUserById(this.deps.dataSource, userId);
    if (!user || user.email_verified) return;
    await this.mailPerIp.consume(ip);
    await this.mailPerAddress.consume(addressKey(user.email));
    this.sendVerification(user);
  }

  /**
   * A new password from the signed-in owner, who proves they know the current one. Every sign-in
   * of the account ends (the caller gets a fresh one from the route).
   */
  async changePassword(userId: string, currentPassword: string, newPassword: string): Promise<UserRow> {
    const user = await findUserById(this.deps.dataSource, userId);
    if (!user) throw new AppError(404, 'NOT_FOUND', 'User was not found.');
    await this.passwordAttempts.consume(addressKey(user.email));
    if (!(await verifyPassword(user.password_hash, currentPassword))) throw wrongPassword();
    const newHash = await hashPassword(newPassword);
    const changed = await this.deps.dataSource.transaction(async (tx) => {
      const row = await replacePasswordHash(tx, user.id, user.password_hash, newHash);
      if (row) await revokeAllFamilies(tx, user.id, 'password_change');
      return row;
    });
    // Someone else changed it in between: their change stands, this one is refused.
    if (!changed) throw wrongPassword();
    this.deps.logger.info({ userId: user.id }, 'password changed; every session revoked');
    return changed;
  }

  /**
   * "I forgot my password": mails a reset link when the address has an account. The caller
   * learns nothing either way (same answer, and the mail goes out after the answer); the limits
   * count the address asked for and the caller's IP whether or not an account exists.
   */
  async forgotPassword(email: string, ip: string): Promise<void> {
    await this.mailPerIp.consume(ip);
    await this.mailPerAddress.consume(addressKey(email));
    const user = await findUserByEmail(this.deps.dataSource, email);
    if (!user || user.role === 'display') return;
    void this.mail.passwordReset(user);
  }

  /**
   * Sets the password a reset link was sent for. The link names the password it replaces: once
   * any new one is set, the link (and every other outstanding one) is dead. A reset proves the
   * address too, and ends every sign-in of the account.
   */
  async resetPassword(token: string, newPassword: string): Promise<UserRow> {
    const claim = verifyPasswordResetToken(this.deps.config.jwtSecret, token);
    if (!claim) throw invalidLink();
    const user = await findUserById(this.deps.dataSource, claim.userId);
    if (
      !user ||
      user.email !== normalizeEmail(claim.email) ||
      passwordStamp(user.password_hash) !== claim.passwordStamp
    )
      throw invalidLink();
    const newHash = await hashPassword(newPassword);
    const reset = await this.deps.dataSource.transaction(async (tx) => {
      const row = await replacePasswordHash(tx, user.id, user.password_hash, newHash);
      if (!row) return undefined;
      await revokeAllFamilies(tx, user.id, 'password_reset');
      return (await markEmailVerified(tx, user.id, user.email)) ?? row;
    });
    if (!reset) throw invalidLink();
    this.deps.logger.info({ userId: user.id }, 'password reset by mailed link; every session revoked');
    return reset;
  }

  /** A new address, proven by the current password; it is unverified until its own link is followed. */
  async changeEmail(userId: string, email: string, currentPassword: string, ip: string): Promise<UserRow> {
    const user = await findUserById(this.deps.dataSource, userId);
    if (!user) throw new AppError(404, 'NOT_FOUND', 'User was not found.');
    if (user.email === normalizeEmail(email)) return user;
    this.assertDomainAllowed(email);
    await this.passwordAttempts.consume(addressKey(user.email));
    if (!(await verifyPassword(user.password_hash, currentPassword))) throw wrongPassword();
    await this.mailPerIp.consume(ip);
    const changed = await changeEmail(this.deps.dataSource, user.id, email);
    this.deps.logger.info({ userId: user.id }, 'email changed; verification mailed to the new address');
    this.sendVerification(changed);
    return changed;
  }
}
