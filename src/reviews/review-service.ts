import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Principal } from '../domain/principal';
import {
  countVotes,
  deleteVote,
  findReview,
  findReviewableBooking,
  findReviewByAuthor,
  insertReview,
  listForModeration,
  listRoomReviews,
  lockReview,
  lockRoomRating,
  readRoomRating,
  recomputeRoomRating,
  setModeration,
  updateReviewContent,
  upsertVote,
  worstRecentRooms,
  writeVoteCounts,
  type ReviewableBooking,
  type ReviewRecord,
  type ReviewSort,
  type ReviewStatus,
  type RoomRating,
} from '../db/repositories/reviews';
import { assertCanViewBooking } from '../domain/booking-access';
import { AppError, conflict, forbidden, notFound } from '../domain/errors';
import { getRoom } from '../api/services/room-catalog';
import { storedPolicy } from '../domain/room-policy';
import { invalidateRoomAvailability } from '../infra/availability-cache';
import { withTimeout } from '../infra/deadline';
import { findUserEmailVerification } from '../db/repositories/users';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';
import { followUpWorkflowId, reviewSubmittedSignal } from '../shared/booking-messages';
import { reviewWindow } from '../shared/booking-lifecycle';
import { wilsonLowerBound } from './helpfulness';
import type { ModerationAlerts } from './moderation-alerts';
import { cachedRoomRating, invalidateRoomRating, type RatingCacheOutcome } from './rating-cache';
import { recurringWords } from './recurring-words';
import { screenReview } from './screening';

export interface ReviewServiceDeps {
  dataSource: DataSource;
  redis: Redis;
  temporal: Client;
  logger: Logger;
  bannedTerms: readonly string[];
  alerts: ModerationAlerts;
}

/** A review as the API answers it. Screening flags and moderation details only reach the author and staff. */
export interface ReviewView {
  id: string;
  bookingId: string;
  roomId: string;
  author: { id: string; displayName: string };
  rating: number;
  comment: string;
  status: ReviewStatus;
  screeningFlags?: string[];
  moderation?: { reason: string | null; moderatorId: string | null; at: string | null };
  votes: { helpful: number; unhelpful: number; helpfulness: number; mine: boolean | null };
  createdAt: string;
  updatedAt: string;
}

const isStaff = (p: Principal) => p.kind === 'user' && (p.role === 'admin' || p.role === 'facility_manager');
const viewerId = (p: Principal): string | null => (p.kind === 'user' ? p.userId : null);

export function toReviewView(review: ReviewRecord, principal: Principal): ReviewView {
  const privileged = isStaff(principal) || viewerId(principal) === review.authorId;
  return {
    id: review.id,
    bookingId: review.bookingId,
    roomId: review.roomId,
    author: { id: review.authorId, displayName: review.authorName },
    rating: review.rating,
    comment: review.comment,
    status: review.status,
    ...(privileged ? { screeningFlags: review.screeningFlags } : {}),
    ...(privileged && review.moderatedAt
      ? { moderation: { reason: review.moderationReason, moderatorId: review.moderatedBy, at: review.moderatedAt } }
      : {}),
    votes: {
      helpful: review.helpfulCount,
      unhelpful: review.unhelpfulCount,
      helpfulness: review.helpfulness,
      mine: review.viewerVote,
    },
    createdAt: review.createdAt,
    updatedAt: review.updatedAt,
  };
}

/** Reviews are accepted from the booking's end until its prompt time plus the room's review window. */
export function reviewWindowOf(booking: Pick<ReviewableBooking, 'endedAt' | 'policy'>): {
  opensAt: string;
  closesAt: string;
} {
  const endedAt = new Date(booking.endedAt).toISOString();
  return { opensAt: endedAt, closesAt: reviewWindow(storedPolicy(booking.policy), endedAt).closesAt };
}

// A signal normally lands in milliseconds; with Temporal unreachable the review still answers.
const SIGNAL_TIMEOUT_MS = 5000;

/** Reviews of rooms: submission checked against the booking, screening, moderation, votes and the room aggregates. */
export class ReviewService {
  constructor(private readonly deps: ReviewServiceDeps) {}

  private async person(principal: Principal): Promise<{ userId: string; email: string }> {
    if (principal.kind !== 'user') throw forbidden('Display devices cannot review rooms.');
    const user = await findUserEmailVerification(this.deps.dataSource, principal.userId);
    if (!user) throw notFound('Your account');
    // Attending is proven by a verified address: an unverified one matches no attendee.
    return { userId: principal.userId, email: user.emailVerified ? user.email : '' };
  }

  /**
   * The organizer or a registered attendee of a completed booking, inside the window. Who may not
   * see the booking gets 404 (ids are not probeable); staff who see it but did not attend get 403.
   */
  private async assertMayReview(
    principal: Principal,
    bookingId: string,
  ): Promise<{ booking: ReviewableBooking; me: { userId: string; email: string } }> {
    const me = await this.person(principal);
    const booking = await findReviewableBooking(this.deps.dataSource, bookingId);
    if (!booking) throw notFound('Booking');
    assertCanViewBooking(principal, booking, me.email);
    const attended =
      booking.organizerId === me.userId ||
      booking.attendees.some((a) => a.trim().toLowerCase() === me.email.toLowerCase());
    if (!attended)
      throw new AppError(403, 'NOT_A_PARTICIPANT', 'Only the organizer and the attendees of a booking may review it.');
    if (booking.status !== 'completed') {
      throw conflict(
        'BOOKING_NOT_COMPLETED',
        `Only a completed meeting can be reviewed; this booking is ${booking.status}.`,
        { status: booking.status },
      );
    }
    const window = reviewWindowOf(booking);
    if (Date.now() > Date.parse(window.closesAt)) {
      throw conflict('REVIEW_WINDOW_CLOSED', `The review window closed at ${window.closesAt}.`, window);
    }
    return { booking, me };
  }

  async submit(
    principal: Principal,
    bookingId: string,
    input: { rating: number; comment?: string },
  ): Promise<ReviewView> {
    const { booking, me } = await this.assertMayReview(principal, bookingId);
    const existing = await findReviewByAuthor(this.deps.dataSource, booking.id, me.userId);
    if (existing) throw reviewExists(existing.id);
    const comment = input.comment ?? '';
    const screeningFlags = screenReview(comment, this.deps.bannedTerms);
    const status: ReviewStatus = screeningFlags.length > 0 ? 'pending' : 'published';

    const id = await this.deps.dataSource.transaction(async (m) => {
      await lockRoomRating(m, booking.roomId);
      const inserted = await insertReview(m, {
        bookingId: booking.id,
        roomId: booking.roomId,
        authorId: me.userId,
        rating: input.rating,
        comment,
        status,
        screeningFlags,
      });
      // A concurrent submission by the same person won the unique index.
      if (!inserted) return undefined;
      if (status === 'published') await recomputeRoomRating(m, booking.roomId);
      return inserted;
    });
    if (!id) {
      const winner = await findReviewByAuthor(this.deps.dataSource, booking.id, me.userId);
      throw reviewExists(winner?.id);
    }

    if (status === 'published') await this.invalidate(booking.roomId);
    await this.tellWorkflow(booking, me);
    const review = (await findReview(this.deps.dataSource, id, me.userId))!;
    if (status === 'pending') void this.deps.alerts.reviewPending(review);
    return toReviewView(review, principal);
  }

  /** The author edits within the window; the new text is screened again, and a rejected review goes back to the queue. */
  async edit(
    principal: Principal,
    reviewId: string,
    change: { rating?: number; comment?: string },
  ): Promise<ReviewView> {
    const current = await this.visibleReview(principal, reviewId);
    if (viewerId(principal) !== current.authorId) throw forbidden('Only the author may edit a review.');
    const { booking } = await this.assertMayReview(principal, current.bookingId);
    const rating = change.rating ?? current.rating;
    const comment = change.comment ?? current.comment;
    const screeningFlags = screenReview(comment, this.deps.bannedTerms);
    const status: ReviewStatus = screeningFlags.length > 0 || current.status === 'rejected' ? 'pending' : 'published';

    await this.deps.dataSource.transaction(async (m) => {
      await lockRoomRating(m, booking.roomId);
      await updateReviewContent(m, reviewId, {
        rating,
        comment,
        status,
        screeningFlags,
        clearModeration: status !== current.status,
      });
      await recomputeRoomRating(m, booking.roomId);
    });
    await this.invalidate(booking.roomId);
    const review = (await findReview(this.deps.dataSource, reviewId, current.authorId))!;
    if (status === 'pending' && current.status !== 'pending') void this.deps.alerts.reviewPending(review);
    return toReviewView(review, principal);
  }

  /** Published reviews to everyone signed in; pending and rejected ones to their author and staff; 404 otherwise. */
  private async visibleReview(principal: Principal, reviewId: string): Promise<ReviewRecord> {
    const review = await findReview(this.deps.dataSource, reviewId, viewerId(principal) ?? undefined);
    if (!review) throw notFound('Review');
    if (review.status !== 'published' && !isStaff(principal) && viewerId(principal) !== review.authorId)
      throw notFound('Review');
    return review;
  }

  async get(principal: Principal, reviewId: string): Promise<ReviewView> {
    return toReviewView(await this.visibleReview(principal, reviewId), principal);
  }

  async listForRoom(principal: Principal, roomId: string, query: { sort: ReviewSort; limit: number; offset: number }) {
    await getRoom(this.deps, roomId);
    const { items, total } = await listRoomReviews(
      this.deps.dataSource,
      roomId,
      viewerId(principal),
      query.sort,
      query,
    );
    return { items: items.map((r) => toReviewView(r, principal)), total, limit: query.limit, offset: query.offset };
  }

  async rating(roomId: string): Promise<{ rating: RoomRating; cache: RatingCacheOutcome }> {
    const { value, cache } = await cachedRoomRating(this.deps.redis, roomId, () =>
      readRoomRating(this.deps.dataSource, roomId),
    );
    if (!value) throw notFound('Room');
    return { rating: value, cache };
  }

  /** One vote per person per review, changeable; never on one's own review; only on published reviews. */
  async vote(principal: Principal, reviewId: string, helpful: boolean | null): Promise<ReviewView> {
    const me = await this.person(principal);
    const review = await this.visibleReview(principal, reviewId);
    if (review.authorId === me.userId) throw new AppError(403, 'OWN_REVIEW', 'You cannot vote on your own review.');
    if (review.status !== 'published')
      throw conflict('REVIEW_NOT_PUBLISHED', 'Only published reviews can be voted on.', { status: review.status });
    await this.deps.dataSource.transaction(async (m) => {
      // Lock first, count after: every vote's recount sees all votes committed before it.
      const locked = await lockReview(m, reviewId);
      if (!locked) throw notFound('Review');
      if (helpful === null) await deleteVote(m, reviewId, me.userId);
      else await upsertVote(m, reviewId, me.userId, helpful);
      const counts = await countVotes(m, reviewId);
      await writeVoteCounts(m, reviewId, {
        ...counts,
        helpfulness: wilsonLowerBound(counts.helpful, counts.unhelpful),
      });
    });
    return toReviewView((await findReview(this.deps.dataSource, reviewId, me.userId))!, principal);
  }

  async moderationQueue(
    principal: Principal,
    query: { status: ReviewStatus; roomId?: string; limit: number; offset: number },
  ) {
    const { items, total } = await listForModeration(this.deps.dataSource, query, viewerId(principal)!);
    return {
      items: items.map((r) => ({ ...toReviewView(r, principal), roomName: r.roomName })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  /** Approve publishes, reject withdraws; either can reverse an earlier decision. The aggregate follows. */
  async moderate(
    principal: Principal,
    reviewId: string,
    decision: { action: 'approve' | 'reject'; reason?: string },
  ): Promise<ReviewView> {
    const moderatorId = viewerId(principal)!;
    const review = await findReview(this.deps.dataSource, reviewId);
    if (!review) throw notFound('Review');
    await this.deps.dataSource.transaction(async (m) => {
      await lockRoomRating(m, review.roomId);
      await setModeration(m, reviewId, {
        status: decision.action === 'approve' ? 'published' : 'rejected',
        reason: decision.reason ?? null,
        moderatorId,
      });
      await recomputeRoomRating(m, review.roomId);
    });
    await this.invalidate(review.roomId);
    return toReviewView((await findReview(this.deps.dataSource, reviewId, moderatorId))!, principal);
  }

  async insights(query: { days: number; lowRating: number; minReviews: number; limit: number }) {
    const since = new Date(Date.now() - query.days * 86_400_000).toISOString();
    const rooms = await worstRecentRooms(this.deps.dataSource, { since, ...query });
    return {
      since,
      lowRating: query.lowRating,
      rooms: rooms.map(({ lowComments, ...room }) => ({ ...room, recurringWords: recurringWords(lowComments) })),
    };
  }

  private async invalidate(roomId: string): Promise<void> {
    await invalidateRoomRating(this.deps.redis, roomId);
    // Searches order by rating: cached ones must not keep the old order.
    await invalidateRoomAvailability(this.deps.redis, roomId);
  }

  /**
   * The booking's follow-up stops reminding this person (runs started before the follow-up
   * existed keep the review window in the slot's workflow). A closed workflow (window over) is
   * fine: the review was still on time.
   */
  private async tellWorkflow(booking: ReviewableBooking, me: { userId: string; email: string }): Promise<void> {
    try {
      const signal = (workflowId: string, runId?: string) =>
        this.deps.temporal.workflow.getHandle(workflowId, runId).signal(reviewSubmittedSignal, me);
      await withTimeout(
        signal(followUpWorkflowId(booking.id)).catch((err) => {
          if (err instanceof WorkflowNotFoundError) return signal(booking.workflowId, booking.runId);
          throw err;
        }),
        SIGNAL_TIMEOUT_MS,
        `no answer from Temporal within ${SIGNAL_TIMEOUT_MS} ms`,
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      this.deps.logger.warn({ err: (err as Error).message, bookingId: booking.id }, 'review signal not delivered');
    }
  }
}

function reviewExists(reviewId?: string): AppError {
  return conflict(
    'REVIEW_EXISTS',
    'You already reviewed this booking; edit your review with PATCH /api/v1/reviews/:id.',
    reviewId ? { reviewId } : undefined,
  );
}
