import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../infra/logger';
import {
  EMAIL_VERIFICATION_TTL_SECONDS,
  PASSWORD_RESET_TTL_SECONDS,
  signEmailVerificationToken,
  signPasswordResetToken,
} from '../mail/tokens';
import { sendWithRetries } from '../mail/transport';
import type { UserRow } from '../db/repositories/users';
import { passwordStamp } from './users';

export type AccountMailKind = 'verify-email' | 'password-reset';

interface AccountMailDeps {
  config: Pick<Config, 'jwtSecret' | 'publicUrl' | 'smtpUrl' | 'mailFrom'>;
  logger: Logger;
}

const hours = (seconds: number) => `${Math.round(seconds / 3600)} hours`;

/**
 * Messages about the account itself: the link that proves an address, and the password reset
 * link. Each is sent in the background after the answer (a retried send never fails the request,
 * and a reset request must take as long for an unknown address as for a known one); failures are
 * logged, and the person can ask again.
 */
export function createAccountMail(deps: AccountMailDeps) {
  const link = (path: string, token: string) =>
    `${deps.config.publicUrl}/api/v1${path}?token=${encodeURIComponent(token)}`;

  async function send(kind: AccountMailKind, user: UserRow, subject: string, text: string[]): Promise<void> {
    await sendWithRetries(
      { smtpUrl: deps.config.smtpUrl },
      {
        from: deps.config.mailFrom,
        to: user.email,
        subject,
        messageId: `<account.${kind}.${randomUUID()}@roombook>`,
        headers: { 'X-Roombook-Kind': kind },
        text: text.join('\n'),
      },
    ).catch((err: Error) =>
      deps.logger.error({ err: err.message, userId: user.id, kind }, 'account mail failed after retries'),
    );
  }

  return {
    verification(user: UserRow): Promise<void> {
      const token = signEmailVerificationToken(deps.config.jwtSecret, { userId: user.id, email: user.email });
      return send('verify-email', user, 'Confirm your email address for Roombook', [
        `Hello ${user.display_name},`,
        '',
        `Please confirm that ${user.email} is your address. Until you do, you book rooms for yourself only:`,
        'meetings you are invited to, check-ins and reviews need a confirmed address.',
        '',
        `Confirm your address: ${link('/auth/verify-email', token)}`,
        '',
        `The link works once and for ${hours(EMAIL_VERIFICATION_TTL_SECONDS)}. If you did not sign up, ignore this message.`,
      ]);
    },

    passwordReset(user: UserRow): Promise<void> {
      const token = signPasswordResetToken(deps.config.jwtSecret, {
        userId: user.id,
        email: user.email,
        passwordStamp: passwordStamp(user.password_hash),
      });
      return send('password-reset', user, 'Reset your Roombook password', [
        `Hello ${user.display_name},`,
        '',
        'Someone (we hope you) asked to reset the password of this account.',
        '',
        `Reset your password: ${link('/auth/password/reset', token)}`,
        '',
        `The link works once and for ${Math.round(PASSWORD_RESET_TTL_SECONDS / 60)} minutes; setting a new password signs out every session.`,
        'If you did not ask for this, ignore this message: your password stays as it is.',
      ]);
    },
  };
}

export type AccountMail = ReturnType<typeof createAccountMail>;
