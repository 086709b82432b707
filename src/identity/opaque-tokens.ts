import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque bearer secrets: 256 random bits behind a prefix that tells them apart from JWTs
 * (`rbr_` refresh, `rbd_` display). Stored as SHA-256 only: with that much entropy a fast hash
 * is enough, and lookups stay an index probe.
 */
export function newOpaqueToken(prefix: 'rbr_' | 'rbd_'): { token: string; hash: string } {
  const token = prefix + randomBytes(32).toString('base64url');
  return { token, hash: hashOpaqueToken(token) };
}

export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const REFRESH_TOKEN_PREFIX = 'rbr_';
export const DISPLAY_TOKEN_PREFIX = 'rbd_';
