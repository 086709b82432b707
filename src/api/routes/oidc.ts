import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../domain/errors';
import { OIDC_BINDING_COOKIE, OidcRefusal, OidcSignIn } from '../../identity/oidc';
import { startSession } from '../auth/session';
import { API_PREFIX, resourceRouter, type ApiContext } from '../context';
import { errorSchema, z } from '../http/openapi';

const loginQuery = z.object({
  redirectUri: z.string().min(1).max(2000).openapi({
    description:
      "Where the browser goes when sign-in ends, with the tokens (or an error) in the URL fragment; its origin must be PUBLIC_URL's or in OIDC_REDIRECT_ORIGINS",
    example: 'https://app.example.com/signed-in',
  }),
});
const callbackQuery = z
  .object({
    state: z.string().max(1000).optional(),
    code: z.string().max(4000).optional(),
    error: z.string().max(200).optional(),
  })
  .passthrough();
const COOKIE_PATH = `${API_PREFIX}/auth/oidc`;

/** The fragment never reaches a server (nor a Referer): the client app's page reads it and clears it. */
const withFragment = (redirectUri: string, values: Record<string, string>) =>
  `${redirectUri}#${new URLSearchParams(values).toString()}`;

/**
 * Single sign-on with the organisation's OpenID provider: a browser flow. The client app sends the
 * browser to /auth/oidc/login; the provider signs the person in and sends the browser back to
 * /auth/oidc/callback; the API then redirects to the client's redirectUri with its own token pair
 * in the fragment. docs/sso.md describes it for client developers.
 */
export function oidcRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { config, dataSource } = api.deps;
  const tags = ['auth'];
  const signIn = config.oidc
    ? new OidcSignIn({
        ...api.deps,
        oidc: config.oidc,
        callbackUrl: `${config.publicUrl}${API_PREFIX}/auth/oidc/callback`,
      })
    : undefined;
  const enabled = (): OidcSignIn => {
    if (!signIn)
      throw new AppError(404, 'OIDC_NOT_CONFIGURED', 'Single sign-on is not configured on this server (OIDC_ISSUER).');
    return signIn;
  };
  const cookieOptions = (ctx: Context) => ({
    httpOnly: true,
    sameSite: 'lax' as const,
    path: COOKIE_PATH,
    secure: ctx.secure,
    overwrite: true,
  });

  route({
    method: 'get',
    path: '/auth/oidc/login',
    summary: 'Start single sign-on: redirects the browser to the identity provider',
    tags,
    query: loginQuery,
    responses: {
      302: {
        description:
          "To the provider's authorization endpoint (code flow with PKCE, state and nonce); sets a short-lived HttpOnly cookie binding the sign-in to this browser",
      },
      400: { description: 'INVALID_REDIRECT_URI', schema: errorSchema },
      404: { description: 'OIDC_NOT_CONFIGURED', schema: errorSchema },
      503: { description: 'The provider cannot be reached', schema: errorSchema },
    },
    handler: async (ctx, { query }) => {
      const { authorizationUrl, binding } = await enabled().begin(query.redirectUri);
      ctx.cookies.set(OIDC_BINDING_COOKIE, binding, { ...cookieOptions(ctx), maxAge: 600_000 });
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(authorizationUrl);
    },
  });

  route({
    method: 'get',
    path: '/auth/oidc/callback',
    summary: "Where the provider sends the browser back; ends with a redirect to the client's redirectUri",
    tags,
    query: callbackQuery,
    responses: {
      302: {
        description:
          "To redirectUri#accessToken=…&refreshToken=…&tokenType=Bearer&expiresIn=900 (the API's own pair, as after POST /auth/login), " +
          "or redirectUri#error=CODE&message=… (OIDC_REFUSED: the provider's answer failed a check, e.g. audience or nonce; " +
          'OIDC_EMAIL_UNVERIFIED, OIDC_EMAIL_MISSING: the provider did not vouch for an address; a provider error such as access_denied)',
      },
      400: {
        description:
          'OIDC_STATE_INVALID: unknown, expired, already used, or started in another browser (no redirect: the target is unknown)',
        schema: errorSchema,
      },
      404: { description: 'OIDC_NOT_CONFIGURED', schema: errorSchema },
    },
    handler: async (ctx) => {
      const service = enabled();
      const binding = ctx.cookies.get(OIDC_BINDING_COOKIE);
      ctx.cookies.set(OIDC_BINDING_COOKIE, null, cookieOptions(ctx));
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Referrer-Policy', 'no-referrer');
      try {
        const { user, redirectUri } = await service.finish(new URLSearchParams(ctx.querystring), binding);
        const session = await startSession(dataSource, config.jwtSecret, user);
        ctx.redirect(
          withFragment(redirectUri, {
            accessToken: session.accessToken,
            refreshToken: session.refreshToken,
            tokenType: session.tokenType,
            expiresIn: String(session.expiresIn),
          }),
        );
      } catch (err) {
        if (err instanceof OidcRefusal && err.redirectUri) {
          ctx.redirect(withFragment(err.redirectUri, { error: err.code, message: err.message }));
          return;
        }
        throw err;
      }
    },
  });

  return router;
}
