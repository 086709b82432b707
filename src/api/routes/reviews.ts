import type Router from '@koa/router';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import { bookingIdParams } from '../schemas/bookings';
import { roomIdParams } from '../schemas/rooms';
import {
  createReviewSchema,
  editReviewSchema,
  insightsQuery,
  insightsSchema,
  listRoomReviewsQuery,
  moderationPageSchema,
  moderationQueueQuery,
  moderationSchema,
  reviewIdParams,
  reviewPageSchema,
  reviewSchema,
  roomRatingSchema,
  voteSchema,
} from '../schemas/reviews';

const notFound = { description: 'No such booking, room or review (or not yours to see)', schema: errorSchema };

/** Reviews of rooms after meetings: submission, votes, moderation, aggregates and the facility view. */
export function reviewsRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const service = api.services.reviews;
  const tags = ['reviews'];

  route({
    method: 'post',
    path: '/bookings/:id/reviews',
    summary: 'Review the room of a completed meeting (organizer and attendees, within the review window)',
    tags,
    secured: true,
    before: [api.access.user()],
    params: bookingIdParams,
    body: createReviewSchema,
    responses: {
      201: { description: 'Accepted: published, or pending when screening held it back', schema: reviewSchema },
      403: { description: 'Not the organizer or an attendee (NOT_A_PARTICIPANT)', schema: errorSchema },
      404: notFound,
      409: {
        description:
          'BOOKING_NOT_COMPLETED, REVIEW_WINDOW_CLOSED, or REVIEW_EXISTS (details.reviewId; edit it instead)',
        schema: errorSchema,
      },
    },
    handler: async (ctx, { params, body }) => {
      const review = await service.submit(principalOf(ctx), params.id, body);
      ctx.status = 201;
      ctx.set('Location', `/api/v1/reviews/${review.id}`);
      ctx.body = review;
    },
  });

  route({
    method: 'get',
    path: '/reviews/:id',
    summary: 'Read a review (not published: its author and staff only)',
    tags,
    secured: true,
    before: [api.access.user()],
    params: reviewIdParams,
    responses: { 200: { description: 'The review', schema: reviewSchema }, 404: notFound },
    handler: async (ctx, { params }) => {
      ctx.body = await service.get(principalOf(ctx), params.id);
    },
  });

  route({
    method: 'patch',
    path: '/reviews/:id',
    summary: 'Edit your review within the review window (screened again)',
    tags,
    secured: true,
    before: [api.access.user()],
    params: reviewIdParams,
    body: editReviewSchema,
    responses: {
      200: { description: 'The edited review', schema: reviewSchema },
      403: { description: 'Not your review', schema: errorSchema },
      404: notFound,
      409: { description: 'REVIEW_WINDOW_CLOSED', schema: errorSchema },
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = await service.edit(principalOf(ctx), params.id, body);
    },
  });

  route({
    method: 'get',
    path: '/rooms/:id/reviews',
    summary: "A room's published reviews (and your own in any status), most helpful or newest first",
    tags,
    secured: true,
    before: [api.access.user()],
    params: roomIdParams,
    query: listRoomReviewsQuery,
    responses: { 200: { description: 'A page of reviews', schema: reviewPageSchema }, 404: notFound },
    handler: async (ctx, { params, query }) => {
      ctx.body = await service.listForRoom(principalOf(ctx), params.id, query);
    },
  });

  route({
    method: 'get',
    path: '/rooms/:id/rating',
    summary: "A room's rating over published reviews: average, count, histogram (cached)",
    tags,
    secured: true,
    before: [api.access.room()],
    params: roomIdParams,
    responses: {
      200: { description: 'The aggregate; X-Rating-Cache says hit, miss or bypass', schema: roomRatingSchema },
      404: notFound,
    },
    handler: async (ctx, { params }) => {
      const { rating, cache } = await service.rating(params.id);
      ctx.set('X-Rating-Cache', cache);
      ctx.body = rating;
    },
  });

  route({
    method: 'post',
    path: '/reviews/:id/votes',
    summary: 'Vote a published review helpful or not (one vote per person, changeable; not your own)',
    tags,
    secured: true,
    before: [api.access.user()],
    params: reviewIdParams,
    body: voteSchema,
    responses: {
      200: { description: 'The review with its new counts', schema: reviewSchema },
      403: { description: 'Your own review (OWN_REVIEW)', schema: errorSchema },
      404: notFound,
      409: { description: 'The review is not published (REVIEW_NOT_PUBLISHED)', schema: errorSchema },
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = await service.vote(principalOf(ctx), params.id, body.helpful);
    },
  });

  route({
    method: 'delete',
    path: '/reviews/:id/votes',
    summary: 'Withdraw your vote',
    tags,
    secured: true,
    before: [api.access.user()],
    params: reviewIdParams,
    responses: { 200: { description: 'The review with its new counts', schema: reviewSchema }, 404: notFound },
    handler: async (ctx, { params }) => {
      ctx.body = await service.vote(principalOf(ctx), params.id, null);
    },
  });

  route({
    method: 'get',
    path: '/moderation/reviews',
    summary: 'The moderation queue: pending reviews oldest first (facility managers, admins)',
    tags,
    secured: true,
    before: [api.access.staff()],
    query: moderationQueueQuery,
    responses: { 200: { description: 'A page of reviews', schema: moderationPageSchema } },
    handler: async (ctx, { query }) => {
      ctx.body = await service.moderationQueue(principalOf(ctx), query);
    },
  });

  route({
    method: 'post',
    path: '/reviews/:id/moderation',
    summary: 'Approve (publish) or reject a review with a reason (facility managers, admins)',
    tags,
    secured: true,
    before: [api.access.staff()],
    params: reviewIdParams,
    body: moderationSchema,
    responses: { 200: { description: 'The review after the decision', schema: reviewSchema }, 404: notFound },
    handler: async (ctx, { params, body }) => {
      ctx.body = await service.moderate(principalOf(ctx), params.id, body);
    },
  });

  route({
    method: 'get',
    path: '/facility/review-insights',
    summary:
      'Rooms with the worst recent ratings and the words recurring in their low reviews (facility managers, admins)',
    tags,
    secured: true,
    before: [api.access.staff()],
    query: insightsQuery,
    responses: { 200: { description: 'Worst first', schema: insightsSchema } },
    handler: async (ctx, { query }) => {
      ctx.body = await service.insights(query);
    },
  });

  return router;
}
