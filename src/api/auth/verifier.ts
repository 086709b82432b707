import type { AppDeps } from '../deps';
import { unauthorized, unavailable } from '../../domain/errors';
import { lookupDisplayToken } from '../../identity/display-tokens';
import { DISPLAY_TOKEN_PREFIX } from '../../identity/opaque-tokens';
import type { Principal, TokenVerifier } from '../../domain/principal';
import { verifyAccessToken } from './jwt';

/**
 * The one verification of bearer tokens, for REST and the Socket.IO handshake alike: access
 * tokens (JWT, stateless) and display tokens (opaque, looked up by hash, so revocation is
 * immediate).
 */
export function createTokenVerifier(deps: Pick<AppDeps, 'config' | 'dataSource'>): TokenVerifier {
  return {
    async verify(token: string): Promise<Principal> {
      if (token.startsWith(DISPLAY_TOKEN_PREFIX)) {
        const display = await lookupDisplayToken(deps.dataSource, token).catch(() => {
          throw unavailable('PostgreSQL');
        });
        if (!display) throw unauthorized('The display token is invalid or has been revoked.');
        return { kind: 'display', displayTokenId: display.id, roomId: display.roomId, role: 'display' };
      }
      return verifyAccessToken(deps.config.jwtSecret, token);
    },
  };
}
