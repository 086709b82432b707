import type Router from '@koa/router';
import type { Context } from 'koa';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../identity/passwords';
import { toUserView } from '../../identity/users';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { escapeHtml, formAsBody, htmlPage, wantsHtml } from '../http/forms';
import { errorSchema, z } from '../http/openapi';
import {
  acceptedSchema,
  forgotPasswordBody,
  loginBody,
  refreshBody,
  registerBody,
  resetPasswordBody,
  sessionSchema,
  tokenQuery,
  userEnvelopeSchema,
  verifyEmailBody,
} from '../schemas/identity';

const rateLimited = { description: 'Too many attempts; Retry-After says when to try again', schema: errorSchema };
const invalidLink = { description: 'INVALID_LINK: not signed by us, expired, or already used', schema: errorSchema };
const html = z.string().openapi({ description: 'An HTML page' });

/** Link pages answer with no caching and no referrer: the token is in their URL. */
function linkPage(ctx: Context, title: string, body: string): void {
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.body = htmlPage(title, body);
}

/** Sign-up, sign-in, token refresh and sign-out: the only unauthenticated routes that write. */
export function authRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { auth, accounts } = api.services;

  route({
    method: 'post',
    path: '/auth/register',
    summary: 'Create an account (role member) and sign in; a link to verify the address is mailed to it',
    tags: ['auth'],
    body: registerBody,
    responses: {
      201: {
        description: 'Account created (emailVerified false until the mailed link is followed); a session for it',
        schema: sessionSchema,
      },
      409: { description: 'EMAIL_TAKEN: an account with this email (in any letter case) exists', schema: errorSchema },
      422: {
        description: "EMAIL_DOMAIN_NOT_ALLOWED: REGISTRATION_DOMAINS does not list the address's domain",
        schema: errorSchema,
      },
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      const created = await auth.register(body, ctx.ip);
      ctx.status = 201;
      ctx.body = created;
    },
  });

  route({
    method: 'post',
    path: '/auth/login',
    summary: 'Sign in with email and password',
    tags: ['auth'],
    body: loginBody,
    responses: {
      200: { description: 'Signed in', schema: sessionSchema },
      401: {
        description: 'INVALID_CREDENTIALS: the same answer whether or not the email has an account',
        schema: errorSchema,
      },
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      ctx.body = await auth.login(body.email, body.password, ctx.ip);
    },
  });

  route({
    method: 'post',
    path: '/auth/refresh',
    summary: 'Trade a refresh token for a new pair (each refresh token works once)',
    tags: ['auth'],
    body: refreshBody,
    responses: {
      200: { description: 'A new access token and refresh token; the presented one is spent', schema: sessionSchema },
      401: {
        description: 'Invalid, expired or revoked; a reused token also revokes its whole family',
        schema: errorSchema,
      },
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      ctx.body = await auth.refresh(body.refreshToken, ctx.ip, ctx.state.log);
    },
  });

  route({
    method: 'post',
    path: '/auth/logout',
    summary: 'Sign out: revoke the refresh token and every token rotated from it',
    tags: ['auth'],
    body: refreshBody,
    responses: { 204: { description: 'Signed out (also when the token was already invalid)' } },
    handler: async (ctx, { body }) => {
      await auth.logout(body.refreshToken);
      ctx.status = 204;
    },
  });

  route({
    method: 'get',
    path: '/auth/verify-email',
    summary: 'The page a verification link opens: a button that confirms the address',
    tags: ['auth'],
    query: tokenQuery,
    responses: {
      200: {
        description: 'A confirmation page (following the link changes nothing: mail scanners open links)',
        schema: html,
        contentType: 'text/html',
      },
    },
    handler: (ctx, { query }) => {
      linkPage(
        ctx,
        'Confirm your address',
        '<p>Confirm that this is your email address for Roombook?</p>' +
          `<form method="post" action="verify-email"><input type="hidden" name="token" value="${escapeHtml(query.token)}"><button type="submit">Confirm</button></form>`,
      );
    },
  });

  route({
    method: 'post',
    path: '/auth/verify-email',
    summary: 'Verify the address a link was mailed to (the link works once)',
    tags: ['auth'],
    before: [formAsBody(['token'])],
    body: verifyEmailBody,
    responses: {
      200: {
        description: "The account, now with emailVerified true (HTML for the page's form)",
        schema: userEnvelopeSchema,
      },
      400: invalidLink,
    },
    handler: async (ctx, { body }) => {
      const user = await accounts.verifyEmail(body.token);
      if (wantsHtml(ctx))
        return linkPage(ctx, 'Address confirmed', `<p>Thank you: ${escapeHtml(user.email)} is confirmed.</p>`);
      ctx.body = { user: toUserView(user) };
    },
  });

  route({
    method: 'post',
    path: '/auth/resend-verification',
    summary: 'Mail another verification link to my address (nothing if it is verified)',
    tags: ['auth'],
    secured: true,
    before: [api.access.user()],
    responses: {
      202: {
        description: 'Accepted: a link is on its way unless the address is verified already',
        schema: acceptedSchema,
      },
      429: rateLimited,
    },
    handler: async (ctx) => {
      const principal = principalOf(ctx);
      if (principal.kind === 'user') await accounts.resendVerification(principal.userId, ctx.ip);
      ctx.status = 202;
      ctx.body = { status: 'accepted', message: 'If your address is not verified yet, a new link is on its way.' };
    },
  });

  route({
    method: 'post',
    path: '/auth/password/forgot',
    summary: 'Ask for a password reset link (the answer is the same whether or not the address has an account)',
    tags: ['auth'],
    body: forgotPasswordBody,
    responses: {
      202: { description: 'Accepted; a link is mailed if the address has an account', schema: acceptedSchema },
      429: rateLimited,
    },
    handler: async (ctx, { body }) => {
      await accounts.forgotPassword(body.email, ctx.ip);
      ctx.status = 202;
      ctx.body = { status: 'accepted', message: 'If this address has an account, a reset link is on its way.' };
    },
  });

  route({
    method: 'get',
    path: '/auth/password/reset',
    summary: 'The page a reset link opens: a form for the new password',
    tags: ['auth'],
    query: tokenQuery,
    responses: {
      200: { description: 'A form (following the link changes nothing)', schema: html, contentType: 'text/html' },
    },
    handler: (ctx, { query }) => {
      linkPage(
        ctx,
        'Choose a new password',
        '<form method="post" action="reset">' +
          `<input type="hidden" name="token" value="${escapeHtml(query.token)}">` +
          `<label>New password <input type="password" name="newPassword" autocomplete="new-password" minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}" required></label> ` +
          '<button type="submit">Set password</button></form><p>Every signed-in session ends when the new password is set.</p>',
      );
    },
  });

  route({
    method: 'post',
    path: '/auth/password/reset',
    summary: 'Set a new password with a mailed reset link (works once; every session ends)',
    tags: ['auth'],
    before: [formAsBody(['token', 'newPassword'])],
    body: resetPasswordBody,
    responses: {
      200: {
        description: 'Password set; every refresh token of the account is revoked: sign in with the new password',
        schema: userEnvelopeSchema,
      },
      400: invalidLink,
    },
    handler: async (ctx, { body }) => {
      const user = await accounts.resetPassword(body.token, body.newPassword);
      if (wantsHtml(ctx))
        return linkPage(ctx, 'Password changed', '<p>Your password is changed. Sign in with it now.</p>');
      ctx.body = { user: toUserView(user) };
    },
  });

  return router;
}
