import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { unauthorized } from '../../domain/errors';
import { ROLES, type Principal, type UserRole } from './access';

// Pinned: verification accepts nothing else (no `none`, no RS/HS confusion, no other issuer or audience).
export const JWT_ALGORITHM = 'HS256' as const;
export const JWT_ISSUER = 'roombook';
export const JWT_AUDIENCE = 'roombook-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

const keys = new Map<string, KeyObject>();
/**
 * The HMAC key for a secret, made once: given a string, jsonwebtoken first tries to parse it as a
 * PEM key and fails (an exception) on every sign and every verify.
 */
export function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret))));
  return key;
}

export function signAccessToken(
  secret: string,
  user: { id: string; role: UserRole },
  ttlSeconds = ACCESS_TOKEN_TTL_SECONDS,
): string {
  return jwt.sign({ role: user.role }, hmacKey(secret), {
    algorithm: JWT_ALGORITHM,
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
    subject: user.id,
    expiresIn: ttlSeconds,
  });
}

export function verifyAccessToken(secret: string, token: string): Principal {
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, hmacKey(secret), {
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
    }) as jwt.JwtPayload;
  } catch (err) {
    const expired = err instanceof jwt.TokenExpiredError;
    throw unauthorized(
      expired
        ? 'The access token has expired: refresh it with POST /api/v1/auth/refresh.'
        : 'The access token is invalid.',
    );
  }
  const role = payload.role as UserRole;
  if (typeof payload.sub !== 'string' || !ROLES.includes(role) || role === ('display' as string))
    throw unauthorized('The access token is invalid.');
  return { kind: 'user', userId: payload.sub, role };
}
