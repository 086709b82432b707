import { EntitySchema } from 'typeorm';
import { generatedUuidKey, integer, text, textArray, timestamptz, timestamptzNow, uuid, manyToOne } from './columns';
import type { BookingEntity } from './booking';
import type { RoomEntity } from './room';
import type { UserEntity } from './user';

export const REVIEW_STATUSES = ['published', 'pending', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** A row of `reviews`: one person's review of one booking's room. */
export interface ReviewEntity {
  id: string;
  bookingId: string;
  roomId: string;
  authorId: string;
  rating: number;
  comment: string;
  status: ReviewStatus;
  screeningFlags: string[];
  moderationReason: string | null;
  moderatedBy: string | null;
  moderatedAt: Date | null;
  helpfulCount: number;
  unhelpfulCount: number;
  helpfulness: number;
  createdAt: Date;
  updatedAt: Date;
  booking?: BookingEntity;
  room?: RoomEntity;
  author?: UserEntity;
  moderator?: UserEntity | null;
  votes?: ReviewVoteEntity[];
}

export const ReviewSchema = new EntitySchema<ReviewEntity>({
  name: 'Review',
  tableName: 'reviews',
  columns: {
    id: generatedUuidKey(),
    bookingId: uuid('booking_id'),
    roomId: uuid('room_id'),
    authorId: uuid('author_id'),
    rating: { name: 'rating', type: 'smallint' },
    comment: text('comment', { default: '' }),
    status: text('status'),
    screeningFlags: textArray('screening_flags'),
    moderationReason: text('moderation_reason', { nullable: true }),
    moderatedBy: uuid('moderated_by', { nullable: true }),
    moderatedAt: timestamptz('moderated_at', { nullable: true }),
    helpfulCount: integer('helpful_count', { default: 0 }),
    unhelpfulCount: integer('unhelpful_count', { default: 0 }),
    helpfulness: { name: 'helpfulness', type: 'double precision', default: 0 },
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  uniques: [{ name: 'reviews_booking_id_author_id_key', columns: ['bookingId', 'authorId'] }],
  checks: [
    { name: 'reviews_rating_check', expression: 'rating BETWEEN 1 AND 5' },
    { name: 'reviews_comment_check', expression: 'char_length(comment) <= 2000' },
    { name: 'reviews_status_check', expression: "status IN ('published', 'pending', 'rejected')" },
  ],
  // reviews_room_recent and reviews_room_helpful (partial, DESC) are migrated indexes TypeORM
  // cannot describe: test/db/entities.test.ts lists them.
  indices: [
    { name: 'reviews_moderation_queue', columns: ['status', 'createdAt'] },
    { name: 'reviews_author', columns: ['authorId'] },
  ],
  relations: {
    booking: manyToOne('reviews', 'booking_id', 'Booking', { onDelete: 'CASCADE' }),
    room: manyToOne('reviews', 'room_id', 'Room'),
    author: manyToOne('reviews', 'author_id', 'User', { onDelete: 'CASCADE' }),
    moderator: manyToOne('reviews', 'moderated_by', 'User', { nullable: true, onDelete: 'SET NULL' }),
    votes: { type: 'one-to-many', target: 'ReviewVote', inverseSide: 'review' },
  },
});

/** A row of `review_votes`: one person's helpful / unhelpful vote on a review. */
export interface ReviewVoteEntity {
  reviewId: string;
  userId: string;
  helpful: boolean;
  createdAt: Date;
  updatedAt: Date;
  review?: ReviewEntity;
  user?: UserEntity;
}

export const ReviewVoteSchema = new EntitySchema<ReviewVoteEntity>({
  name: 'ReviewVote',
  tableName: 'review_votes',
  columns: {
    reviewId: { ...uuid('review_id'), primary: true },
    userId: { ...uuid('user_id'), primary: true },
    helpful: { name: 'helpful', type: 'boolean' },
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  relations: {
    review: manyToOne('review_votes', 'review_id', 'Review', { inverseSide: 'votes', onDelete: 'CASCADE' }),
    user: manyToOne('review_votes', 'user_id', 'User', { onDelete: 'CASCADE' }),
  },
});
