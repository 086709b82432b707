import type Router from '@koa/router';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import {
  cancelSeriesSchema,
  createSeriesSchema,
  editSeriesResultSchema,
  editSeriesSchema,
  seriesIdParams,
  seriesSchema,
} from '../schemas/series';
import { createRateLimiter } from '../../infra/rate-limit';
import { idempotencyKeyHeaders, idempotencyKeyOf, ifNotFound } from '../services/idempotency';

const responses = {
  404: { description: 'No such series (or not yours to see)', schema: errorSchema },
  409: {
    description:
      'An occurrence conflicts (SLOT_CONFLICT, details.conflicts lists every one), or the series or occurrence can no longer change (SERIES_CLOSED, OCCURRENCE_CLOSED)',
    schema: errorSchema,
  },
  422: {
    description: "An occurrence is against the room's policy (POLICY_VIOLATION, with the rule and occurrenceStart)",
    schema: errorSchema,
  },
  503: { description: 'Temporal is unreachable', schema: errorSchema },
};

/** Recurring bookings: a series workflow books each occurrence as its own booking workflow. */
export function seriesRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { series: service, idempotency } = api.services;
  const tags = ['series'];
  // The same counter as POST /bookings: a series is a create like any other.
  const createLimit = createRateLimiter(api.deps.redis, {
    name: 'booking-create',
    ...api.deps.config.rateLimits.bookingCreatePerUser,
    logger: api.deps.logger,
  });

  route({
    method: 'post',
    path: '/series',
    summary: "Book a recurring series (answers with every occurrence's outcome)",
    tags,
    secured: true,
    before: [api.access.user()],
    headers: idempotencyKeyHeaders,
    body: createSeriesSchema,
    responses: {
      201: {
        description: 'The series and each occurrence: booked, scheduled (beyond the horizon) or a skipped conflict',
        schema: seriesSchema,
      },
      ...responses,
      422: {
        description:
          "An occurrence is against the room's policy (POLICY_VIOLATION), or the Idempotency-Key was used with another body (IDEMPOTENCY_KEY_REUSED)",
        schema: errorSchema,
      },
      429: {
        description: 'Too many creates (the per-user limit shared with POST /bookings); see Retry-After',
        schema: errorSchema,
      },
    },
    handler: async (ctx, { body }) => {
      const principal = principalOf(ctx);
      if (principal.kind === 'user') await createLimit.consume(principal.userId);
      const key = idempotencyKeyOf(ctx);
      const ownerId = principal.kind === 'user' ? principal.userId : principal.displayTokenId;
      const { result: series, replayed } = await idempotency.run(
        { scope: 'series', ownerId, key, body },
        (claim) => service.create(principal, body, claim),
        (seriesId) => service.get(principal, seriesId).catch(ifNotFound(undefined)),
      );
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = 201;
      ctx.set('Location', `/api/v1/series/${series.id}`);
      ctx.body = series;
    },
  });

  route({
    method: 'get',
    path: '/series/:id',
    summary: 'Read a series and its occurrences',
    tags,
    secured: true,
    before: [api.access.anyone()],
    params: seriesIdParams,
    responses: { 200: { description: 'The series', schema: seriesSchema }, 404: responses[404] },
    handler: async (ctx, { params }) => {
      ctx.body = await service.get(principalOf(ctx), params.id);
    },
  });

  route({
    method: 'post',
    path: '/series/:id/cancel',
    summary: 'Cancel one occurrence, this and following, or the whole series',
    tags,
    secured: true,
    before: [api.access.user()],
    params: seriesIdParams,
    body: cancelSeriesSchema,
    responses: { 200: { description: 'The series after the change', schema: seriesSchema }, ...responses },
    handler: async (ctx, { params, body }) => {
      ctx.body = await service.cancel(principalOf(ctx), params.id, body);
    },
  });

  route({
    method: 'post',
    path: '/series/:id/edit',
    summary: 'Edit one occurrence (an exception) or this and following (splits the series)',
    tags,
    secured: true,
    before: [api.access.user()],
    params: seriesIdParams,
    body: editSeriesSchema,
    responses: {
      200: {
        description: 'The series (for following: the new series, and the previous one)',
        schema: editSeriesResultSchema,
      },
      ...responses,
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = await service.edit(principalOf(ctx), params.id, body);
    },
  });

  return router;
}
