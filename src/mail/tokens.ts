import jwt from 'jsonwebtoken';
import { hmacKey, JWT_ALGORITHM, JWT_ISSUER } from '../api/auth/jwt';
import { MAIL_PREFERENCES, type MailPreference } from './preferences';

// Each link kind has its own audience: neither can pass for the other, nor for an access token.
const UNSUBSCRIBE_AUDIENCE = 'roombook-mail-unsubscribe';
const APPROVAL_AUDIENCE = 'roombook-mail-approval';
/** Approval links outlive any approval timeout a room may set (at most a few days). */
const APPROVAL_LINK_TTL_SECONDS = 14 * 24 * 3600;

export interface UnsubscribeClaim {
  email: string;
  preference: MailPreference;
}

/** Never expires: an unsubscribe link in an old message must still work (it can only turn mail off). */
export function signUnsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  return jwt.sign({ pref: claim.preference }, hmacKey(secret), { algorithm: JWT_ALGORITHM, issuer: JWT_ISSUER, audience: UNSUBSCRIBE_AUDIENCE, subject: claim.email.toLowerCase() });
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
  return jwt.sign({ bid: claim.bookingId }, hmacKey(secret), {
    algorithm: JWT_ALGORITHM,
    issuer: JWT_ISSUER,
    audience: APPROVAL_AUDIENCE,
    subject: claim.userId,
    expiresIn: APPROVAL_LINK_TTL_SECONDS,
  });
}

export function verifyApprovalToken(secret: string, token: string): ApprovalClaim | undefined {
  const payload = verify(secret, token, APPROVAL_AUDIENCE);
  if (!payload?.sub || typeof payload.bid !== 'string') return undefined;
  return { userId: payload.sub, bookingId: payload.bid };
}

function verify(secret: string, token: string, audience: string): jwt.JwtPayload | undefined {
  try {
    const payload = jwt.verify(token, hmacKey(secret), { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, audience });
    return typeof payload === 'string' ? undefined : payload;
  } catch {
    return undefined;
  }
}
