import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { DataSource } from 'typeorm';
import type { UserRole } from '../domain/principal';
import type { OidcConfig } from '../config';
import { AppError, unavailable } from '../domain/errors';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';
import { normalizeEmail } from '../domain/accounts';
import type { Queryable } from '../db/queryable';
import { linkIdentity, revokeAllFamilies, touchLinkedIdentity } from '../db/repositories/sessions';
import {
  changeRole,
  findUserByEmail,
  findUserById,
  insertUser,
  verifyByProviderDroppingPassword,
  type UserRow,
} from '../db/repositories/users';

interface OidcDeps {
  oidc: OidcConfig;
  /** Where the provider sends the browser back: PUBLIC_URL + /api/v1/auth/oidc/callback, registered at the provider. */
  callbackUrl: string;
  dataSource: DataSource;
  redis: Redis;
  logger: Logger;
}

/** What the login step keeps for the callback, under `oidc:login:<state>` in Redis, for 10 minutes, read once. */
interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
  /** Also in an HttpOnly cookie of the browser that started: a callback URL handed to someone else is useless to them. */
  binding: string;
}

const PENDING_TTL_SECONDS = 600;
const ROLE_ORDER: UserRole[] = ['admin', 'facility_manager', 'member'];
export const OIDC_BINDING_COOKIE = 'roombook_oidc';

/** A refusal at the callback that the client app is told about (in the redirect's fragment). */
export class OidcRefusal extends AppError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly redirectUri?: string,
  ) {
    super(status, code, message);
  }
}

/**
 * Single sign-on with OpenID Connect through openid-client (authorization code with PKCE, state
 * and nonce): the provider proves who the person is, then the API issues its own token pair as
 * after a password sign-in. The provider's metadata is discovered at the first sign-in and kept.
 */
export class OidcSignIn {
  private configuration?: Promise<oidc.Configuration>;

  constructor(private readonly deps: OidcDeps) {}

  private discover(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.deps.oidc;
    const insecure = new URL(issuer).protocol === 'http:';
    this.configuration ??= oidc
      .discovery(
        new URL(issuer),
        clientId,
        { client_secret: clientSecret },
        oidc.ClientSecretBasic(clientSecret),
        insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((err: Error) => {
        // Not cached: the next sign-in tries again.
        this.configuration = undefined;
        this.deps.logger.warn({ err: err.message, issuer }, 'OpenID provider discovery failed');
        throw unavailable('identity provider', 'The identity provider cannot be reached; try again shortly.');
      });
    return this.configuration;
  }

  /** Only to this API's own pages and the configured client origins: never an open redirect. */
  assertRedirectAllowed(redirectUri: string): void {
    let url: URL;
    try {
      url = new URL(redirectUri);
    } catch {
      throw invalidRedirect();
    }
    if (url.hash || !this.deps.oidc.redirectOrigins.includes(url.origin)) throw invalidRedirect();
  }

  /** Step one: where to send the browser, and the binding value for its cookie. */
  async begin(redirectUri: string): Promise<{ authorizationUrl: string; binding: string }> {
    this.assertRedirectAllowed(redirectUri);
    const config = await this.discover();
    const pending: PendingLogin = {
      codeVerifier: oidc.randomPKCECodeVerifier(),
      nonce: oidc.randomNonce(),
      redirectUri,
      binding: randomBytes(24).toString('base64url'),
    };
    const state = oidc.randomState();
    await this.redis.set(`oidc:login:${state}`, JSON.stringify(pending), 'EX', PENDING_TTL_SECONDS);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.deps.callbackUrl,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce: pending.nonce,
    });
    return { authorizationUrl: url.href, binding: pending.binding };
  }

  private get redis(): Redis {
    return this.deps.redis;
  }

  /**
   * Step two: the provider sent the browser back. The state must be one we issued (once, to this
   * browser); openid-client checks the rest: state, issuer, the code exchange with the PKCE
   * verifier, the ID token's signature, issuer, audience, expiry and nonce. Then the person is
   * found, linked or created.
   */
  async finish(query: URLSearchParams, binding: string | undefined): Promise<{ user: UserRow; redirectUri: string }> {
    const state = query.get('state') ?? '';
    const raw = state
      ? await this.redis.getdel(`oidc:login:${state}`).catch(() => {
          throw unavailable('Redis');
        })
      : null;
    const pending = raw ? (JSON.parse(raw) as PendingLogin) : undefined;
    if (!pending || !binding || binding !== pending.binding) {
      throw new OidcRefusal(
        400,
        'OIDC_STATE_INVALID',
        'This sign-in is unknown, expired, was already finished or was started in another browser: start again.',
      );
    }
    const refuse = (status: number, code: string, message: string) =>
      new OidcRefusal(status, code, message, pending.redirectUri);
    const config = await this.discover();
    const currentUrl = new URL(`${this.deps.callbackUrl}?${query.toString()}`);
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      const userinfo = config.serverMetadata().userinfo_endpoint
        ? await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub)
        : {};
      // The signed ID token wins over the userinfo answer where both say something.
      claims = { ...userinfo, ...idClaims };
    } catch (err) {
      const reason = describeRefusal(err);
      this.deps.logger.warn({ err: reason, code: (err as { code?: string }).code }, 'OpenID sign-in refused');
      throw refuse(401, 'OIDC_REFUSED', `The identity provider's answer was refused: ${reason}`);
    }
    const provision = () => this.deps.dataSource.transaction((tx) => this.provision(tx, claims, refuse));
    let user: UserRow;
    try {
      user = await provision();
    } catch (err) {
      // The same person's first sign-in twice at once: the other one created the account; link to it.
      if (!(err instanceof AppError && err.code === 'EMAIL_TAKEN')) throw err;
      user = await provision();
    }
    return { user, redirectUri: pending.redirectUri };
  }

  /**
   * The account for the provider's (issuer, subject): the one linked before; else the account with
   * the claimed address, linked now, if the provider says the address is verified; else a new
   * account. A local account that never proved the address loses its password and sessions when
   * it is linked: whoever set them did not show they own the address, the provider did.
   */
  private async provision(
    tx: Queryable,
    claims: Record<string, unknown>,
    refuse: (s: number, c: string, m: string) => OidcRefusal,
  ): Promise<UserRow> {
    const issuer = this.deps.oidc.issuer;
    const subject = String(claims.sub);
    const role = this.roleFrom(claims);
    const linked = await touchLinkedIdentity(tx, issuer, subject);
    if (linked) {
      const user = await findUserById(tx, linked.id);
      if (!user) throw refuse(403, 'OIDC_ACCOUNT_GONE', 'The account this sign-in was linked to no longer exists.');
      return this.syncRole(tx, user, role);
    }

    const email = typeof claims.email === 'string' ? normalizeEmail(claims.email) : '';
    if (!email) throw refuse(403, 'OIDC_EMAIL_MISSING', 'The identity provider sent no email address for this person.');
    if (claims.email_verified !== true)
      throw refuse(
        403,
        'OIDC_EMAIL_UNVERIFIED',
        'The identity provider has not verified this email address, so it cannot be linked to an account.',
      );

    let user = await findUserByEmail(tx, email);
    if (user?.role === 'display') throw refuse(403, 'OIDC_EMAIL_TAKEN', 'This address belongs to a device account.');
    if (user && !user.email_verified) {
      await verifyByProviderDroppingPassword(tx, user.id);
      await revokeAllFamilies(tx, user.id, 'sso_link');
      this.deps.logger.warn(
        { userId: user.id },
        'single sign-on linked an unverified account: its password and sessions were revoked',
      );
      user = (await findUserById(tx, user.id))!;
    }
    if (!user) {
      const name =
        typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : email.split('@')[0];
      user = await insertUser(tx, {
        email,
        displayName: name,
        timezone: 'UTC',
        passwordHash: null,
        role: role ?? 'member',
        emailVerified: true,
      });
    } else {
      user = await this.syncRole(tx, user, role);
    }
    await linkIdentity(tx, { issuer, subject, userId: user.id, email });
    this.deps.logger.info({ userId: user.id, issuer }, 'single sign-on linked');
    return user;
  }

  /** OIDC_ROLE_CLAIM: a string or a list; the highest Roombook role named in it, if any. */
  private roleFrom(claims: Record<string, unknown>): UserRole | undefined {
    const name = this.deps.oidc.roleClaim;
    if (!name) return undefined;
    const value = claims[name];
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    return ROLE_ORDER.find((role) => values.includes(role));
  }

  /** With a role claim, the provider decides the role at each sign-in (except demoting the last admin). */
  private async syncRole(tx: Queryable, user: UserRow, role: UserRole | undefined): Promise<UserRow> {
    if (!role || role === user.role || user.role === 'display') return user;
    try {
      return await changeRole(tx, user.id, role);
    } catch (err) {
      if (err instanceof AppError && err.code === 'LAST_ADMIN') return user;
      throw err;
    }
  }
}

/** openid-client wraps the precise check that failed (e.g. the ID token's nonce) as the error's cause. */
function describeRefusal(err: unknown): string {
  const parts: string[] = [];
  for (
    let cause = err as { message?: string; cause?: unknown } | undefined, depth = 0;
    cause?.message && depth < 4;
    cause = cause.cause as typeof cause, depth += 1
  ) {
    parts.push(cause.message);
  }
  return parts.join(': ') || 'unknown error';
}

const invalidRedirect = () =>
  new AppError(
    400,
    'INVALID_REDIRECT_URI',
    "redirectUri must be an absolute URL, without a fragment, at PUBLIC_URL's origin or one of OIDC_REDIRECT_ORIGINS.",
  );
