import type Router from '@koa/router';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import {
  createWaitlistEntrySchema,
  waitlistEntryIdParams,
  waitlistEntryListSchema,
  waitlistEntrySchema,
} from '../schemas/waitlist';
import { idempotencyKeyHeaders, idempotencyKeyOf } from '../services/idempotency';

/** The waitlist: wait for a room (or a building's fitting rooms) and an interval; a freed slot is offered as a hold. */
export function waitlistRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { waitlist: service, idempotency } = api.services;
  const tags = ['waitlist'];

  route({
    method: 'post',
    path: '/waitlist',
    summary: 'Wait for a room and interval (or any fitting room of a building); a freed slot comes as a held booking',
    tags,
    secured: true,
    before: [api.access.user()],
    headers: idempotencyKeyHeaders,
    body: createWaitlistEntrySchema,
    responses: {
      201: {
        description: 'The entry (waiting, or offered at once when the interval is free now)',
        schema: waitlistEntrySchema,
      },
      403: { description: 'A display token, or a room the caller may not book', schema: errorSchema },
      404: { description: 'No such room', schema: errorSchema },
      422: {
        description:
          'The start is already past (POLICY_VIOLATION), no room of the building fits (NO_FITTING_ROOM), or the Idempotency-Key was used with another body (IDEMPOTENCY_KEY_REUSED)',
        schema: errorSchema,
      },
      503: { description: 'Temporal is unreachable', schema: errorSchema },
    },
    handler: async (ctx, { body }) => {
      const principal = principalOf(ctx);
      const ownerId = principal.kind === 'user' ? principal.userId : principal.displayTokenId;
      const { result: entry, replayed } = await idempotency.run(
        { scope: 'waitlist', ownerId, key: idempotencyKeyOf(ctx), body },
        (claim) => service.join(principal, body, claim),
        (entryId) => service.made(principal, entryId),
      );
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = 201;
      ctx.set('Location', `/api/v1/waitlist/${entry.id}`);
      ctx.body = entry;
    },
  });

  route({
    method: 'get',
    path: '/waitlist',
    summary: "The caller's waitlist entries, oldest first",
    tags,
    secured: true,
    before: [api.access.user()],
    responses: {
      200: {
        description: 'Every entry of the caller; one whose start passed while it was still waiting reads expired',
        schema: waitlistEntryListSchema,
      },
    },
    handler: async (ctx) => {
      ctx.body = { items: await service.mine(principalOf(ctx)) };
    },
  });

  route({
    method: 'delete',
    path: '/waitlist/:id',
    summary: "Leave the waitlist (an offer's hold is released and passes to the next waiter)",
    tags,
    secured: true,
    before: [api.access.user()],
    params: waitlistEntryIdParams,
    responses: {
      204: { description: 'Left' },
      404: { description: 'No such entry of yours', schema: errorSchema },
      409: { description: 'The entry already ended (WAITLIST_ENTRY_CLOSED)', schema: errorSchema },
    },
    handler: async (ctx, { params }) => {
      await service.leave(principalOf(ctx), params.id);
      ctx.status = 204;
    },
  });

  return router;
}
