import type Router from '@koa/router';
import { PREFERENCE_LABELS } from '../../mail/preferences';
import { resourceRouter, type ApiContext } from '../context';
import { escapeHtml, htmlPage as page, readForm as formFields, wantsHtml } from '../http/forms';
import { errorSchema, z } from '../http/openapi';
import { bookingSchema } from '../schemas/bookings';

const tokenQuery = z.object({
  token: z.string().min(1).max(2000).openapi({ description: 'The signed token from the link in the message' }),
});
const approvalQuery = tokenQuery.extend({ decision: z.enum(['approve', 'reject']).optional() });
const approvalBody = z
  .object({ reason: z.string().trim().min(1).max(500, 'at most 500 characters').optional() })
  .optional();
const unsubscribedSchema = z
  .object({
    email: z.string(),
    preference: z.enum(['bookingUpdates', 'reminders', 'reviewPrompts']),
    enabled: z.literal(false),
  })
  .openapi('Unsubscribed');
const html = z.string().openapi({ description: 'An HTML page' });

/**
 * Links in mail, which work without signing in because the link itself is a signed token:
 * unsubscribe from an optional kind, and approve or reject a booking. Following a link (GET)
 * only shows a page; the change is a POST from its button (or a one-click client, RFC 8058),
 * so link scanners that prefetch mail do not unsubscribe anyone or decide anything.
 */
export function mailRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const links = api.services.mailLinks;
  const tags = ['mail'];

  route({
    method: 'get',
    path: '/mail/unsubscribe',
    summary: 'The page an unsubscribe link opens: a button that turns that kind of mail off',
    tags,
    query: tokenQuery,
    responses: {
      200: { description: 'A confirmation page', schema: html, contentType: 'text/html' },
      400: { description: 'INVALID_LINK', schema: errorSchema },
    },
    handler: (ctx, { query }) => {
      const claim = links.unsubscribeClaim(query.token);
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = page(
        'Unsubscribe',
        `<p>Stop sending ${escapeHtml(PREFERENCE_LABELS[claim.preference])} to ${escapeHtml(claim.email)}?</p>` +
          `<form method="post" action="?token=${encodeURIComponent(query.token)}"><button type="submit">Unsubscribe</button></form>` +
          '<p>Confirmations, changes and cancellations of bookings are always sent.</p>',
      );
    },
  });

  route({
    method: 'post',
    path: '/mail/unsubscribe',
    summary: 'Turn one optional kind of mail off for the address the token names (RFC 8058 one-click)',
    tags,
    query: tokenQuery,
    responses: {
      200: { description: 'Turned off (HTML for a browser form, JSON otherwise)', schema: unsubscribedSchema },
      400: { description: 'INVALID_LINK', schema: errorSchema },
    },
    handler: async (ctx, { query }) => {
      const { claim, accountOwned } = await links.unsubscribe(query.token);
      if (wantsHtml(ctx)) {
        ctx.type = 'html';
        ctx.body = page(
          'Unsubscribed',
          `<p>Done: no more ${escapeHtml(PREFERENCE_LABELS[claim.preference])} to ${escapeHtml(claim.email)}.</p>` +
            (accountOwned
              ? '<p>You can turn them back on with <code>PATCH /api/v1/users/me</code> (<code>notificationPrefs</code>).</p>'
              : ''),
        );
        return;
      }
      ctx.body = { email: claim.email, preference: claim.preference, enabled: false };
    },
  });

  route({
    method: 'get',
    path: '/mail/approval',
    summary: 'The page an approval link opens: the request with approve and reject buttons',
    tags,
    query: tokenQuery,
    responses: {
      200: { description: 'The request', schema: html, contentType: 'text/html' },
      400: { description: 'INVALID_LINK', schema: errorSchema },
    },
    handler: async (ctx, { query }) => {
      const booking = await links.approvalRequest(query.token);
      const action = (decision: string) => `?token=${encodeURIComponent(query.token)}&amp;decision=${decision}`;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = page(
        `Approve ${booking.title}?`,
        `<h1>${escapeHtml(booking.title)}</h1><p>${escapeHtml(booking.start)} – ${escapeHtml(booking.end)} (UTC), status <b>${escapeHtml(booking.status)}</b></p>` +
          (booking.status === 'pending_approval'
            ? `<form method="post" action="${action('approve')}"><button type="submit">Approve</button></form>` +
              `<form method="post" action="${action('reject')}"><label>Reason <input name="reason" maxlength="500"></label> <button type="submit">Reject</button></form>`
            : '<p>This request is already decided.</p>'),
      );
    },
  });

  route({
    method: 'post',
    path: '/mail/approval',
    summary: 'Approve or reject the booking an approval link names, as the manager it was sent to',
    tags,
    query: approvalQuery,
    body: approvalBody,
    responses: {
      200: {
        description: 'The booking after the decision (HTML for a browser form, JSON otherwise)',
        schema: bookingSchema,
      },
      400: { description: 'INVALID_LINK, or no decision', schema: errorSchema },
      409: { description: 'Already decided (INVALID_STATE)', schema: errorSchema },
    },
    handler: async (ctx, { query, body }) => {
      const form = await formFields(ctx);
      const reason = body?.reason ?? (form.get('reason')?.trim().slice(0, 500) || undefined);
      const booking = await links.decide(query.token, query.decision, reason);
      if (wantsHtml(ctx)) {
        ctx.type = 'html';
        ctx.body = page('Done', `<p>${escapeHtml(booking.title)} is now <b>${escapeHtml(booking.status)}</b>.</p>`);
        return;
      }
      ctx.body = booking;
    },
  });

  return router;
}
