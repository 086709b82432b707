import { createSecretKey, type KeyObject } from 'node:crypto';

// Pinned: verification accepts nothing else (no `none`, no RS/HS confusion, no other issuer).
// Shared by access tokens (the HTTP layer) and mailed-link tokens (mail), each with its own audience.
export const JWT_ALGORITHM = 'HS256' as const;
export const JWT_ISSUER = 'roombook';

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
