import type { Context, Middleware } from 'koa';
import { AppError, forbidden, unauthorized } from '../../domain/errors';
import type { Principal, Role, TokenVerifier, UserRole } from '../../domain/principal';

export function bearerToken(ctx: Context): string | undefined {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export function principalOf(ctx: Context): Principal {
  const principal = ctx.state.principal as Principal | undefined;
  if (!principal)
    throw new AppError(500, 'INTERNAL', 'Route reached without authentication middleware', undefined, false);
  return principal;
}

/**
 * The one place that decides who may call what, at function level: routes declare what they
 * need with these middleware. Object-level checks (whose booking is it) use the same principal.
 */
export function createAccess(verifier: TokenVerifier) {
  const authenticate: Middleware = async (ctx, next) => {
    const token = bearerToken(ctx);
    if (!token) throw unauthorized();
    ctx.state.principal = await verifier.verify(token);
    await next();
  };
  const requireKinds =
    (allowDisplay: boolean, roles?: readonly Role[]): Middleware =>
    async (ctx, next) => {
      await authenticate(ctx, async () => {
        const principal = principalOf(ctx);
        if (principal.kind === 'display' && !allowDisplay) throw forbidden('Display devices cannot use this endpoint.');
        if (roles && !roles.includes(principal.role))
          throw forbidden(`This needs one of the roles: ${roles.join(', ')}.`);
        await next();
      });
    };
  return {
    /** Any signed-in user or display device. */
    anyone: (): Middleware => requireKinds(true),
    /** Any person, or a display device bound to the room named by the path parameter (default :id). */
    room:
      (param = 'id'): Middleware =>
      async (ctx, next) => {
        await requireKinds(true)(ctx, async () => {
          const principal = principalOf(ctx);
          if (principal.kind === 'display' && principal.roomId !== ctx.params?.[param])
            throw forbidden('This display token is bound to another room.');
          await next();
        });
      },
    /** Any person's account (not a display device). */
    user: (): Middleware => requireKinds(false),
    /** A person with one of these roles. */
    roles: (...roles: UserRole[]): Middleware => requireKinds(false, roles),
    /** Facility managers and admins. */
    staff: (): Middleware => requireKinds(false, ['facility_manager', 'admin']),
  };
}

export type Access = ReturnType<typeof createAccess>;
