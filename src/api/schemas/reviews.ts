import { REVIEW_STATUSES } from '../../db/repositories/reviews';
import { z } from '../http/openapi';
import { closedObject } from './identity';

export const COMMENT_MAX = 2000;

const ratingSchema = z
  .number({ invalid_type_error: 'an integer from 1 to 5' })
  .int('an integer from 1 to 5')
  .min(1, 'at least 1')
  .max(5, 'at most 5');
const commentSchema = z.string().trim().max(COMMENT_MAX, `at most ${COMMENT_MAX} characters`);

export const createReviewSchema = closedObject({
  rating: ratingSchema.openapi({ example: 4 }),
  comment: commentSchema.optional().openapi({ example: 'Good light, but the screen flickers.' }),
}).openapi('CreateReview');

export const editReviewSchema = closedObject({
  rating: ratingSchema.optional(),
  comment: commentSchema.optional(),
})
  .refine((body) => body.rating !== undefined || body.comment !== undefined, {
    message: 'give rating, comment or both',
  })
  .openapi('EditReview');

export const voteSchema = closedObject({
  helpful: z.boolean({
    required_error: 'true (helpful) or false (not helpful)',
    invalid_type_error: 'true (helpful) or false (not helpful)',
  }),
}).openapi('ReviewVote');

export const moderationSchema = closedObject({
  action: z.enum(['approve', 'reject']),
  reason: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(500, 'at most 500 characters')
    .optional()
    .openapi({ description: 'Required to reject; shown to the author' }),
})
  .superRefine((body, ctx) => {
    if (body.action === 'reject' && !body.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a reason is required to reject' });
  })
  .openapi('ReviewModeration');

export const reviewIdParams = z.object({ id: z.string().uuid('a review id (uuid)') });

export const reviewSchema = z
  .object({
    id: z.string().uuid(),
    bookingId: z.string().uuid(),
    roomId: z.string().uuid(),
    author: z.object({ id: z.string().uuid(), displayName: z.string() }),
    rating: z.number().int().min(1).max(5),
    comment: z.string(),
    status: z.enum(REVIEW_STATUSES).openapi({
      description:
        'published; pending (screening held it back, or waiting for a moderator); rejected. Only the author and staff see a review that is not published.',
    }),
    screeningFlags: z
      .array(z.enum(['link', 'banned_term', 'repeated_characters', 'all_capitals']))
      .optional()
      .openapi({ description: 'Why screening held it back (author and staff only)' }),
    moderation: z
      .object({
        reason: z.string().nullable(),
        moderatorId: z.string().uuid().nullable(),
        at: z.string().datetime().nullable(),
      })
      .optional()
      .openapi({ description: 'The last moderation decision (author and staff only)' }),
    votes: z.object({
      helpful: z.number().int(),
      unhelpful: z.number().int(),
      helpfulness: z
        .number()
        .openapi({ description: 'Wilson lower bound (95 %) of the helpful share; the "helpful" sort order' }),
      mine: z.boolean().nullable().openapi({ description: 'Your vote, or null' }),
    }),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('Review');

export const listRoomReviewsQuery = z.object({
  sort: z.enum(['helpful', 'recent']).default('helpful').openapi({
    description:
      'helpful: Wilson lower bound of helpful votes (age alone never lifts a review), newest first among equals; recent: newest first',
  }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export const reviewPageSchema = z
  .object({ items: z.array(reviewSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('ReviewPage');

export const moderationQueueQuery = z.object({
  status: z.enum(REVIEW_STATUSES).default('pending'),
  roomId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const moderationPageSchema = z
  .object({
    items: z.array(reviewSchema.extend({ roomName: z.string() })),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi('ModerationQueuePage');

export const roomRatingSchema = z
  .object({
    roomId: z.string().uuid(),
    average: z
      .number()
      .nullable()
      .openapi({ description: 'Mean of published ratings, two decimals; null without reviews' }),
    count: z.number().int(),
    histogram: z.object({
      1: z.number().int(),
      2: z.number().int(),
      3: z.number().int(),
      4: z.number().int(),
      5: z.number().int(),
    }),
  })
  .openapi('RoomRating');

export const insightsQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .openapi({ description: 'Reviews published in the last N days' }),
  lowRating: z.coerce
    .number()
    .int()
    .min(1)
    .max(4)
    .default(2)
    .openapi({ description: 'Ratings at or below this are "low"' }),
  minReviews: z.coerce.number().int().min(1).max(1000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

export const insightsSchema = z
  .object({
    since: z.string().datetime(),
    lowRating: z.number().int(),
    rooms: z.array(
      z.object({
        roomId: z.string().uuid(),
        name: z.string(),
        building: z.string(),
        floor: z.string(),
        average: z.number(),
        count: z.number().int(),
        lowCount: z.number().int(),
        recurringWords: z.array(
          z.object({
            word: z.string(),
            count: z.number().int().openapi({ description: 'Low reviews that use the word' }),
          }),
        ),
      }),
    ),
  })
  .openapi('ReviewInsights');
