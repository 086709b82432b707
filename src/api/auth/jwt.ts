import jwt from 'jsonwebtoken';
import { unauthorized } from '../../domain/errors';
import { ROLES, type Principal, type UserRole } from '../../domain/principal';
import { hmacKey, JWT_ALGORITHM, JWT_ISSUER } from '../../identity/jwt-keys';

// The access token's own audience: a mailed-link token (another audience) cannot pass for one.
export const JWT_AUDIENCE = 'roombook-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

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
