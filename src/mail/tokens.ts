import jwt from 'jsonwebtoken';
import { hmacKey, JWT_ALGORITHM, JWT_ISSUER } from '../identity/jwt-keys';
import { MAIL_PREFERENCES, type MailPreference } from './preferences';

// Each link kind has its own audience: neither can pass for the other, nor for an access token.
const UNSUBSCRIBE_AUDIENCE = 'roombook-mail-unsubscribe';
const APPROVAL_AUDIENCE = 'roombook-mail-approval';
const EMAIL_VERIFICATION_AUDIENCE = 'roombook-mail-verify-email';
const PASSWORD_RESET_AUDIENCE = 'roombook-mail-password-reset';
export const EMAIL_VERIFICATION_TTL_SECONDS = 48 * 3600;
/** Short: a reset link is a password for the account until it is used. */
export const PASSWORD_RESET_TTL_SECONDS = 30 * 60;
/** Approval links outlive any approval timeout a room may set (at most a few days). */
const APPROVAL_LINK_TTL_SECONDS = 14 * 24 * 3600;

export interface UnsubscribeClaim {
  email: string;
  preference: MailPreference;
}

/** Never expires: an unsubscribe link in an old message must still work (it can only turn mail off). */
export function signUnsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  return sign(secret, UNSUBSCRIBE_AUDIENCE, claim.email.toLowerCase(), { pref: claim.preference });
}

export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaim | undefined {
  const payload = verify(secret, token, UNSUBSCRIBE_AUDIENCE);
  const pref = payload?.pref as MailPreference | undefined;
  if (!payload?.sub || !pref || !MAIL_PREFERENCES.includes(pref)) return undefined;
  return { email: payload.sub, preference: pref };
}

export interface ApprovalClaim {
  /** The facility manager the link was sent to: the decision is theirs. */
  userId: string;
  bookingId: string;
}

export function signApprovalToken(secret: string, claim: ApprovalClaim): string {
  return sign(secret, APPROVAL_AUDIENCE, claim.userId, { bid: claim.bookingId }, APPROVAL_LINK_TTL_SECONDS);
}

export function verifyApprovalToken(secret: string, token: string): ApprovalClaim | undefined {
  const payload = verify(secret, token, APPROVAL_AUDIENCE);
  if (!payload?.sub || typeof payload.bid !== 'string') return undefined;
  return { userId: payload.sub, bookingId: payload.bid };
}

/**
 * Proves that whoever holds it reads mail at `email`. Single use comes from the act itself: it
 * verifies only an account that still has this address unverified (src/identity/account-service.ts).
 */
export interface EmailVerificationClaim {
  userId: string;
  email: string;
}

export function signEmailVerificationToken(secret: string, claim: EmailVerificationClaim): string {
  return sign(
    secret,
    EMAIL_VERIFICATION_AUDIENCE,
    claim.userId,
    { em: claim.email.toLowerCase() },
    EMAIL_VERIFICATION_TTL_SECONDS,
  );
}

export function verifyEmailVerificationToken(secret: string, token: string): EmailVerificationClaim | undefined {
  const payload = verify(secret, token, EMAIL_VERIFICATION_AUDIENCE);
  if (!payload?.sub || typeof payload.em !== 'string') return undefined;
  return { userId: payload.sub, email: payload.em };
}

/**
 * A password reset for one account at one address, bound to the password it replaces
 * (`passwordStamp`, a digest of the stored hash): once any new password is set, by this link or
 * another way, every outstanding reset link is dead. That is what makes it single-use.
 */
export interface PasswordResetClaim {
  userId: string;
  email: string;
  passwordStamp: string;
}

export function signPasswordResetToken(secret: string, claim: PasswordResetClaim): string {
  return sign(
    secret,
    PASSWORD_RESET_AUDIENCE,
    claim.userId,
    { em: claim.email.toLowerCase(), pws: claim.passwordStamp },
    PASSWORD_RESET_TTL_SECONDS,
  );
}

export function verifyPasswordResetToken(secret: string, token: string): PasswordResetClaim | undefined {
  const payload = verify(secret, token, PASSWORD_RESET_AUDIENCE);
  if (!payload?.sub || typeof payload.em !== 'string' || typeof payload.pws !== 'string') return undefined;
  return { userId: payload.sub, email: payload.em, passwordStamp: payload.pws };
}

/** Every mailed link: our algorithm and issuer pinned, its own audience, and an expiry unless it may never act. */
function sign(
  secret: string,
  audience: string,
  subject: string,
  claims: Record<string, string>,
  expiresInSeconds?: number,
): string {
  return jwt.sign(claims, hmacKey(secret), {
    algorithm: JWT_ALGORITHM,
    issuer: JWT_ISSUER,
    audience,
    subject,
    ...(expiresInSeconds === undefined ? {} : { expiresIn: expiresInSeconds }),
  });
}

function verify(secret: string, token: string, audience: string): jwt.JwtPayload | undefined {
  try {
    const payload = jwt.verify(token, hmacKey(secret), { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, audience });
    return typeof payload === 'string' ? undefined : payload;
  } catch {
    return undefined;
  }
}
