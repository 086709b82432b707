import type { AppDeps } from '../deps';
import type { Principal, TokenVerifier } from './access';
import { verifyAccessToken } from './jwt';

/** Access tokens (JWT). Display tokens join here. */
export function createTokenVerifier(deps: Pick<AppDeps, 'config'>): TokenVerifier {
  return {
    async verify(token: string): Promise<Principal> {
      return verifyAccessToken(deps.config.jwtSecret, token);
    },
  };
}
