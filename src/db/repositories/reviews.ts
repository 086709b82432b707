import { In, IsNull, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import {
  BookingSchema,
  ReviewSchema,
  ReviewVoteSchema,
  RoomSchema,
  UserSchema,
  type ReviewEntity,
  type ReviewStatus,
} from '../../entities';

/** Reviews, their votes, and the rating aggregates on rooms: the one place for their SQL. */

export { REVIEW_STATUSES, type ReviewStatus } from '../../entities';

type Db = DataSource | EntityManager;

/** A review as the API answers it: the entity's fields, its room's and author's names, times as ISO-8601. */
export interface ReviewRecord extends Pick<
  ReviewEntity,
  | 'id'
  | 'bookingId'
  | 'roomId'
  | 'authorId'
  | 'rating'
  | 'comment'
  | 'status'
  | 'screeningFlags'
  | 'moderationReason'
  | 'moderatedBy'
  | 'helpfulCount'
  | 'unhelpfulCount'
  | 'helpfulness'
> {
  roomName: string;
  authorName: string;
  moderatedAt: string | null;
  /** The viewer's own vote, when the query was made for a viewer. */
  viewerVote: boolean | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Reviews with their room's name, their author's name and the viewer's own vote. The vote join
 * matches at most one row per review (the votes' key is (review, user)), so LIMIT and OFFSET count
 * reviews.
 */
function selectReviews(db: Db, viewerId: string | null): SelectQueryBuilder<ReviewEntity> {
  return db
    .getRepository(ReviewSchema)
    .createQueryBuilder('v')
    .innerJoin('v.room', 'r')
    .addSelect(['r.id', 'r.name'])
    .innerJoin('v.author', 'u')
    .addSelect(['u.id', 'u.displayName'])
    .leftJoin('v.votes', 'rv', 'rv.userId = :viewerId', { viewerId })
    .addSelect(['rv.reviewId', 'rv.userId', 'rv.helpful']);
}

function toRecord(v: ReviewEntity): ReviewRecord {
  return {
    id: v.id,
    bookingId: v.bookingId,
    roomId: v.roomId,
    roomName: v.room!.name,
    authorId: v.authorId,
    authorName: v.author!.displayName,
    rating: v.rating,
    comment: v.comment,
    status: v.status,
    screeningFlags: v.screeningFlags,
    moderationReason: v.moderationReason,
    moderatedBy: v.moderatedBy,
    moderatedAt: v.moderatedAt?.toISOString() ?? null,
    helpfulCount: v.helpfulCount,
    unhelpfulCount: v.unhelpfulCount,
    helpfulness: Number(v.helpfulness),
    viewerVote: v.votes?.[0]?.helpful ?? null,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}

export async function findReview(db: Db, id: string, viewerId?: string): Promise<ReviewRecord | undefined> {
  const review = await selectReviews(db, viewerId ?? null)
    .where('v.id = :id', { id })
    .getOne();
  return review ? toRecord(review) : undefined;
}

export async function findReviewByAuthor(
  db: Db,
  bookingId: string,
  authorId: string,
): Promise<{ id: string } | undefined> {
  const review = await db.getRepository(ReviewSchema).findOne({ select: { id: true }, where: { bookingId, authorId } });
  return review ? { id: review.id } : undefined;
}

/** What deciding on a review needs to know about its booking and room. */
export interface ReviewableBooking {
  id: string;
  roomId: string;
  organizerId: string;
  attendees: string[];
  status: string;
  endedAt: string;
  workflowId: string;
  runId?: string;
  policy: unknown;
}

export async function findReviewableBooking(db: Db, bookingId: string): Promise<ReviewableBooking | undefined> {
  const booking = await db
    .getRepository(BookingSchema)
    .createQueryBuilder('b')
    .select([
      'b.id',
      'b.roomId',
      'b.organizerId',
      'b.attendees',
      'b.status',
      'b.endedAt',
      'b.endAt',
      'b.workflowId',
      'b.runId',
    ])
    .innerJoin('b.room', 'r')
    .addSelect(['r.id', 'r.policy'])
    .where('b.id = :bookingId', { bookingId })
    .getOne();
  if (!booking) return undefined;
  return {
    id: booking.id,
    roomId: booking.roomId,
    organizerId: booking.organizerId,
    attendees: booking.attendees,
    status: booking.status,
    endedAt: (booking.endedAt ?? booking.endAt).toISOString(),
    workflowId: booking.workflowId,
    ...(booking.runId ? { runId: booking.runId } : {}),
    policy: booking.room!.policy,
  };
}

/**
 * Takes the room row's lock for the rest of the transaction. Every change to a room's published
 * reviews takes it first, so the recompute that follows sees every earlier committed change (READ
 * COMMITTED gives each statement a fresh snapshot) and no two recomputes interleave. NO KEY UPDATE
 * does not block the key-share lock that inserting a booking or review takes on the room.
 */
export async function lockRoomRating(m: EntityManager, roomId: string): Promise<void> {
  await m
    .getRepository(RoomSchema)
    .createQueryBuilder('r')
    .select('r.id')
    .where('r.id = :roomId', { roomId })
    .setLock('for_no_key_update')
    .getOne();
}

/**
 * Average, count and histogram of the room's published reviews, written to the room row: one
 * UPDATE over an aggregate with FILTER clauses, which TypeORM's builders do not express.
 */
export async function recomputeRoomRating(m: EntityManager, roomId: string): Promise<void> {
  await m.query(
    `UPDATE rooms SET rating_count = s.count, rating_average = s.average, rating_histogram = s.histogram
     FROM (
       SELECT count(*)::int AS count, round(avg(rating)::numeric, 2) AS average,
              ARRAY[count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2), count(*) FILTER (WHERE rating = 3),
                    count(*) FILTER (WHERE rating = 4), count(*) FILTER (WHERE rating = 5)]::int[] AS histogram
       FROM reviews WHERE room_id = $1 AND status = 'published'
     ) s
     WHERE rooms.id = $1`,
    [roomId],
  );
}

export interface RoomRating {
  roomId: string;
  average: number | null;
  count: number;
  histogram: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export async function readRoomRating(db: Db, roomId: string): Promise<RoomRating | undefined> {
  const room = await db.getRepository(RoomSchema).findOne({
    select: { id: true, ratingAverage: true, ratingCount: true, ratingHistogram: true },
    where: { id: roomId, deletedAt: IsNull() },
  });
  if (!room) return undefined;
  const h = room.ratingHistogram;
  return {
    roomId: room.id,
    average: room.ratingAverage === null ? null : Number(room.ratingAverage),
    count: room.ratingCount,
    histogram: { 1: h[0], 2: h[1], 3: h[2], 4: h[3], 5: h[4] },
  };
}

export async function insertReview(
  m: EntityManager,
  review: Pick<ReviewEntity, 'bookingId' | 'roomId' | 'authorId' | 'rating' | 'comment' | 'status' | 'screeningFlags'>,
): Promise<string | undefined> {
  // The one conflict a generated id leaves is (booking_id, author_id): a concurrent submission.
  const result = await m
    .createQueryBuilder()
    .insert()
    .into(ReviewSchema)
    .values(review)
    .orIgnore()
    .returning(['id'])
    .execute();
  return (result.raw as { id: string }[])[0]?.id;
}

export async function updateReviewContent(
  m: EntityManager,
  id: string,
  change: { rating: number; comment: string; status: ReviewStatus; screeningFlags: string[]; clearModeration: boolean },
): Promise<void> {
  const { clearModeration, ...content } = change;
  await m.getRepository(ReviewSchema).update(id, {
    ...content,
    updatedAt: () => 'now()',
    ...(clearModeration ? { moderationReason: null, moderatedBy: null, moderatedAt: null } : {}),
  });
}

export async function setModeration(
  m: EntityManager,
  id: string,
  decision: { status: ReviewStatus; reason: string | null; moderatorId: string },
): Promise<void> {
  await m.getRepository(ReviewSchema).update(id, {
    status: decision.status,
    moderationReason: decision.reason,
    moderatedBy: decision.moderatorId,
    moderatedAt: () => 'now()',
    updatedAt: () => 'now()',
  });
}

/** The review's row lock: votes on one review are counted one transaction at a time. */
export async function lockReview(
  m: EntityManager,
  id: string,
): Promise<{ roomId: string; authorId: string; status: ReviewStatus } | undefined> {
  const review = await m
    .getRepository(ReviewSchema)
    .createQueryBuilder('v')
    .select(['v.id', 'v.roomId', 'v.authorId', 'v.status'])
    .where('v.id = :id', { id })
    .setLock('for_no_key_update')
    .getOne();
  return review ? { roomId: review.roomId, authorId: review.authorId, status: review.status } : undefined;
}

export async function upsertVote(m: EntityManager, reviewId: string, userId: string, helpful: boolean): Promise<void> {
  // EXCLUDED.updated_at is the column default, now().
  await m
    .createQueryBuilder()
    .insert()
    .into(ReviewVoteSchema)
    .values({ reviewId, userId, helpful })
    .orUpdate(['helpful', 'updated_at'], ['review_id', 'user_id'])
    .execute();
}

/** True when there was a vote to delete. */
export async function deleteVote(m: EntityManager, reviewId: string, userId: string): Promise<boolean> {
  const result = await m.getRepository(ReviewVoteSchema).delete({ reviewId, userId });
  return (result.affected ?? 0) > 0;
}

export async function countVotes(m: EntityManager, reviewId: string): Promise<{ helpful: number; unhelpful: number }> {
  // Two statements, one picture: the caller holds the review's lock, so no vote changes between them.
  const votes = m.getRepository(ReviewVoteSchema);
  // One after the other: a transaction's manager has one connection, which runs one query at a time.
  const helpful = await votes.countBy({ reviewId, helpful: true });
  const unhelpful = await votes.countBy({ reviewId, helpful: false });
  return { helpful, unhelpful };
}

export async function writeVoteCounts(
  m: EntityManager,
  reviewId: string,
  counts: { helpful: number; unhelpful: number; helpfulness: number },
): Promise<void> {
  await m.getRepository(ReviewSchema).update(reviewId, {
    helpfulCount: counts.helpful,
    unhelpfulCount: counts.unhelpful,
    helpfulness: counts.helpfulness,
  });
}

export type ReviewSort = 'helpful' | 'recent';

/** A room's published reviews, plus the viewer's own reviews in any status (authors see their pending ones). */
export async function listRoomReviews(
  db: Db,
  roomId: string,
  viewerId: string | null,
  sort: ReviewSort,
  page: { limit: number; offset: number },
): Promise<{ items: ReviewRecord[]; total: number }> {
  const query = selectReviews(db, viewerId)
    .where('v.roomId = :roomId', { roomId })
    .andWhere("(v.status = 'published' OR v.authorId = :viewerId)");
  if (sort === 'helpful') query.orderBy('v.helpfulness', 'DESC').addOrderBy('v.createdAt', 'DESC');
  else query.orderBy('v.createdAt', 'DESC');
  const total = await query.getCount();
  const reviews = await query.clone().addOrderBy('v.id').limit(page.limit).offset(page.offset).getMany();
  return { items: reviews.map(toRecord), total };
}

export async function listForModeration(
  db: Db,
  filter: { status: ReviewStatus; roomId?: string; limit: number; offset: number },
  viewerId: string,
): Promise<{ items: ReviewRecord[]; total: number }> {
  const query = selectReviews(db, viewerId).where('v.status = :status', { status: filter.status });
  if (filter.roomId !== undefined) query.andWhere('v.roomId = :roomId', { roomId: filter.roomId });
  // Oldest first: the queue is worked in arrival order.
  const total = await query.getCount();
  const reviews = await query
    .clone()
    .orderBy('v.createdAt')
    .addOrderBy('v.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .getMany();
  return { items: reviews.map(toRecord), total };
}

/** Facility managers and admins: who moderates reviews. */
export async function moderators(db: Db): Promise<{ id: string; email: string }[]> {
  const users = await db.getRepository(UserSchema).find({
    select: { id: true, email: true },
    where: { role: In(['facility_manager', 'admin']) },
    order: { email: 'ASC' },
  });
  return users.map(({ id, email }) => ({ id, email }));
}

export interface RecentRoomRatings {
  roomId: string;
  name: string;
  building: string;
  floor: string;
  average: number;
  count: number;
  lowCount: number;
  lowComments: string[];
}

/** Rooms by their average over published reviews since `since`, worst first (FILTER and array_agg: hand-written). */
export async function worstRecentRooms(
  db: Db,
  opts: { since: string; lowRating: number; minReviews: number; limit: number },
): Promise<RecentRoomRatings[]> {
  const rows: {
    id: string;
    name: string;
    building: string;
    floor: string;
    average: string;
    count: number;
    low_count: number;
    low_comments: string[];
  }[] = await db.query(
    `SELECT r.id, r.name, r.building, r.floor, round(avg(v.rating)::numeric, 2) AS average, count(*)::int AS count,
            count(*) FILTER (WHERE v.rating <= $2)::int AS low_count,
            coalesce(array_agg(v.comment) FILTER (WHERE v.rating <= $2 AND v.comment <> ''), '{}') AS low_comments
     FROM reviews v JOIN rooms r ON r.id = v.room_id
     WHERE v.status = 'published' AND v.created_at >= $1 AND r.deleted_at IS NULL
     GROUP BY r.id
     HAVING count(*) >= $3
     ORDER BY avg(v.rating), count(*) DESC, r.name
     LIMIT $4`,
    [opts.since, opts.lowRating, opts.minReviews, opts.limit],
  );
  return rows.map((row) => ({
    roomId: row.id,
    name: row.name,
    building: row.building,
    floor: row.floor,
    average: Number(row.average),
    count: row.count,
    lowCount: row.low_count,
    lowComments: row.low_comments,
  }));
}
