import type Router from '@koa/router';
import { notFound } from '../../domain/errors';
import { createRateLimiter } from '../../infra/rate-limit';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import { bookingSchema } from '../schemas/bookings';
import { idParams } from '../schemas/identity';
import { roomStatusSchema, walkUpBody } from '../schemas/room-status';
import { idempotencyKeyHeaders, idempotencyKeyOf, ifNotFound } from '../services/idempotency';

/** What room displays (and any client after a reconnect) read and do over REST: the live status and walk-up booking. */
export function roomDisplaysRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { bookings: service, idempotency } = api.services;
  const walkUpLimit = createRateLimiter(api.deps.redis, {
    name: 'walk-up',
    ...api.deps.config.rateLimits.bookingCreatePerUser,
    logger: api.deps.logger,
  });

  route({
    method: 'get',
    path: '/rooms/:id/status',
    summary: "The room's status now (what room.status events carry), with its version",
    tags: ['realtime'],
    secured: true,
    before: [api.access.room()],
    params: idParams,
    responses: {
      200: { description: 'Status, current and next bookings, the rest of today', schema: roomStatusSchema },
      404: { description: 'No such room', schema: errorSchema },
    },
    handler: async (ctx, { params }) => {
      const status = await api.services.roomStatus(params.id);
      if (!status) throw notFound('Room');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = status;
    },
  });

  route({
    method: 'post',
    path: '/rooms/:id/walk-up',
    summary: 'Book the room now from its display (15, 30 or 60 minutes from the next slot), checked in at once',
    tags: ['realtime'],
    secured: true,
    before: [api.access.anyone()],
    params: idParams,
    headers: idempotencyKeyHeaders,
    body: walkUpBody,
    responses: {
      201: {
        description:
          'Booked (checked in when the check-in window is open); a retry with the same Idempotency-Key answers with the same booking',
        schema: bookingSchema,
      },
      403: { description: 'Not the display of this room', schema: errorSchema },
      404: { description: 'No such room', schema: errorSchema },
      409: {
        description: 'Another booking is in the way (SLOT_CONFLICT) or the room is out of service',
        schema: errorSchema,
      },
      422: {
        description:
          "Against the room's policy (POLICY_VIOLATION), or the Idempotency-Key was used with another body (IDEMPOTENCY_KEY_REUSED)",
        schema: errorSchema,
      },
      429: { description: 'Too many walk-up bookings from this display; see Retry-After', schema: errorSchema },
    },
    handler: async (ctx, { params, body }) => {
      const principal = principalOf(ctx);
      if (principal.kind === 'display') await walkUpLimit.consume(principal.displayTokenId);
      const ownerId = principal.kind === 'display' ? principal.displayTokenId : principal.userId;
      const { result: booking, replayed } = await idempotency.run(
        { scope: 'walk-up', ownerId, key: idempotencyKeyOf(ctx), body: { roomId: params.id, ...body } },
        (claim) => service.walkUp(principal, params.id, body, claim),
        (bookingId) => service.get(principal, bookingId).catch(ifNotFound(undefined)),
      );
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = 201;
      ctx.set('Location', `/api/v1/bookings/${booking.id}`);
      ctx.body = booking;
    },
  });

  return router;
}
