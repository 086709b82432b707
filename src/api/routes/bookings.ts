import type Router from '@koa/router';
import { createRateLimiter } from '../../infra/rate-limit';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import {
  bookingIdParams,
  bookingPageSchema,
  bookingSchema,
  changeBookingSchema,
  createBookingSchema,
  extendBodySchema,
  idempotencyHeaders,
  listBookingsQuery,
  reasonBodySchema,
  timelineSchema,
} from '../schemas/bookings';
import type { BookingAction } from '../services/booking-service';

const conflictResponses = {
  404: { description: 'No such booking (or not yours to see)', schema: errorSchema },
  409: {
    description:
      "Not possible in the booking's current state (INVALID_STATE, BOOKING_CLOSED) or the slot is taken (SLOT_CONFLICT, with the conflicting interval)",
    schema: errorSchema,
  },
  422: { description: "Against the room's policy (POLICY_VIOLATION, with the rule)", schema: errorSchema },
  503: { description: 'Temporal is unreachable', schema: errorSchema },
};

/** Bookings: each is a Temporal workflow; these routes start it and send it updates. */
export function bookingsRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const service = api.services.bookings;
  const tags = ['bookings'];
  const createLimit = createRateLimiter(api.deps.redis, {
    name: 'booking-create',
    ...api.deps.config.rateLimits.bookingCreatePerUser,
    logger: api.deps.logger,
  });

  route({
    method: 'post',
    path: '/bookings',
    summary: 'Book or hold a room (answers once the slot is reserved or refused)',
    tags,
    secured: true,
    before: [api.access.user()],
    headers: idempotencyHeaders,
    body: createBookingSchema,
    responses: {
      201: { description: 'Reserved', schema: bookingSchema },
      429: { description: 'Too many bookings created; see Retry-After', schema: errorSchema },
      ...conflictResponses,
    },
    handler: async (ctx, { body }) => {
      const principal = principalOf(ctx);
      if (principal.kind === 'user') await createLimit.consume(principal.userId);
      const key = ctx.get('idempotency-key') || undefined;
      if (key !== undefined && (key.length < 8 || key.length > 128)) {
        ctx.throw(400, 'Idempotency-Key must be 8 to 128 characters.');
      }
      const { booking, replayed } = await service.create(principal, body, key);
      ctx.status = 201;
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.set('Location', `/api/v1/bookings/${booking.id}`);
      ctx.body = booking;
    },
  });

  route({
    method: 'get',
    path: '/bookings',
    summary: 'List bookings (yours by default)',
    tags,
    secured: true,
    before: [api.access.anyone()],
    query: listBookingsQuery,
    responses: { 200: { description: 'A page of bookings', schema: bookingPageSchema } },
    handler: async (ctx, { query }) => {
      ctx.body = await service.list(principalOf(ctx), query);
    },
  });

  route({
    method: 'get',
    path: '/bookings/:id',
    summary: 'Read a booking',
    tags,
    secured: true,
    before: [api.access.anyone()],
    params: bookingIdParams,
    responses: { 200: { description: 'The booking', schema: bookingSchema }, 404: conflictResponses[404] },
    handler: async (ctx, { params }) => {
      ctx.body = await service.get(principalOf(ctx), params.id);
    },
  });

  const actions: { action: BookingAction; summary: string }[] = [
    { action: 'confirm', summary: 'Confirm a hold (then confirmed, or pending approval)' },
    { action: 'cancel', summary: 'Cancel (body: reason)' },
    { action: 'check-in', summary: 'Check in while the window is open' },
    { action: 'check-out', summary: 'Check out early: the rest of the slot is freed' },
    { action: 'approve', summary: 'Approve a pending booking (facility managers, admins)' },
    { action: 'reject', summary: 'Reject a pending booking with a reason (facility managers, admins)' },
  ];
  for (const { action, summary } of actions) {
    route({
      method: 'post',
      path: `/bookings/:id/${action}`,
      summary,
      tags,
      secured: true,
      before: [action === 'check-in' ? api.access.anyone() : api.access.user()],
      params: bookingIdParams,
      body: reasonBodySchema,
      responses: { 200: { description: 'The booking after the change', schema: bookingSchema }, ...conflictResponses },
      handler: async (ctx, { params, body }) => {
        ctx.body = await service.act(principalOf(ctx), params.id, action, body ?? {});
      },
    });
  }

  route({
    method: 'post',
    path: '/bookings/:id/extend',
    summary: 'Extend to a later end (only if the room is free)',
    tags,
    secured: true,
    before: [api.access.user()],
    params: bookingIdParams,
    body: extendBodySchema,
    responses: { 200: { description: 'Extended', schema: bookingSchema }, ...conflictResponses },
    handler: async (ctx, { params, body }) => {
      ctx.body = await service.extend(principalOf(ctx), params.id, body.end);
    },
  });

  route({
    method: 'patch',
    path: '/bookings/:id',
    summary: 'Change title or attendees, or reschedule (the new slot is reserved before the old one is freed)',
    tags,
    secured: true,
    before: [api.access.user()],
    params: bookingIdParams,
    body: changeBookingSchema,
    responses: { 200: { description: 'The changed booking', schema: bookingSchema }, ...conflictResponses },
    handler: async (ctx, { params, body }) => {
      ctx.body = await service.change(principalOf(ctx), params.id, body);
    },
  });

  route({
    method: 'get',
    path: '/bookings/:id/timeline',
    summary: "The booking's life so far, from its workflow history",
    tags,
    secured: true,
    before: [api.access.anyone()],
    params: bookingIdParams,
    responses: { 200: { description: 'Events, oldest first', schema: timelineSchema }, 404: conflictResponses[404] },
    handler: async (ctx, { params }) => {
      ctx.body = await service.timeline(principalOf(ctx), params.id);
    },
  });

  return router;
}
