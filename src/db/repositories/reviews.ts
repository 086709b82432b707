import type { DataSource, EntityManager } from 'typeorm';

/** Reviews, their votes, and the rating aggregates on rooms: the one place for their SQL. */

export const REVIEW_STATUSES = ['published', 'pending', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

type Db = DataSource | EntityManager;

export interface ReviewRecord {
  id: string;
  bookingId: string;
  roomId: string;
  roomName: string;
  authorId: string;
  authorName: string;
  rating: number;
  comment: string;
  status: ReviewStatus;
  screeningFlags: string[];
  moderationReason: string | null;
  moderatedBy: string | null;
  moderatedAt: string | null;
  helpfulCount: number;
  unhelpfulCount: number;
  helpfulness: number;
  /** The viewer's own vote, when the query was made for a viewer. */
  viewerVote: boolean | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (value: Date | string | null): string | null => (value ? new Date(value).toISOString() : null);

const SELECT_REVIEW = `
  SELECT v.id, v.booking_id, v.room_id, r.name AS room_name, v.author_id, u.display_name AS author_name, v.rating, v.comment,
         v.status, v.screening_flags, v.moderation_reason, v.moderated_by, v.moderated_at, v.helpful_count, v.unhelpful_count,
         v.helpfulness, v.created_at, v.updated_at,
         (SELECT helpful FROM review_votes rv WHERE rv.review_id = v.id AND rv.user_id = $1::uuid) AS viewer_vote
  FROM reviews v JOIN rooms r ON r.id = v.room_id JOIN users u ON u.id = v.author_id`;

function toRecord(row: Record<string, any>): ReviewRecord {
  return {
    id: row.id,
    bookingId: row.booking_id,
    roomId: row.room_id,
    roomName: row.room_name,
    authorId: row.author_id,
    authorName: row.author_name,
    rating: row.rating,
    comment: row.comment,
    status: row.status,
    screeningFlags: row.screening_flags ?? [],
    moderationReason: row.moderation_reason,
    moderatedBy: row.moderated_by,
    moderatedAt: iso(row.moderated_at),
    helpfulCount: row.helpful_count,
    unhelpfulCount: row.unhelpful_count,
    helpfulness: Number(row.helpfulness),
    viewerVote: row.viewer_vote ?? null,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

export async function findReview(db: Db, id: string, viewerId?: string): Promise<ReviewRecord | undefined> {
  const rows = await db.query(`${SELECT_REVIEW} WHERE v.id = $2`, [viewerId ?? null, id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function findReviewByAuthor(
  db: Db,
  bookingId: string,
  authorId: string,
): Promise<{ id: string } | undefined> {
  const rows = await db.query('SELECT id FROM reviews WHERE booking_id = $1 AND author_id = $2', [bookingId, authorId]);
  return rows[0];
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
  const rows = await db.query(
    `SELECT b.id, b.room_id, b.organizer_id, b.attendees, b.status, COALESCE(b.ended_at, b.end_at) AS ended_at, b.workflow_id, b.run_id, r.policy
     FROM bookings b JOIN rooms r ON r.id = b.room_id WHERE b.id = $1`,
    [bookingId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    roomId: row.room_id,
    organizerId: row.organizer_id,
    attendees: row.attendees ?? [],
    status: row.status,
    endedAt: iso(row.ended_at)!,
    workflowId: row.workflow_id,
    ...(row.run_id ? { runId: row.run_id } : {}),
    policy: row.policy,
  };
}

/**
 * Takes the room row's lock for the rest of the transaction. Every change to a room's published
 * reviews takes it first, so the recompute that follows sees every earlier committed change (READ
 * COMMITTED gives each statement a fresh snapshot) and no two recomputes interleave. NO KEY UPDATE
 * does not block the key-share lock that inserting a booking or review takes on the room.
 */
export async function lockRoomRating(m: EntityManager, roomId: string): Promise<void> {
  await m.query('SELECT 1 FROM rooms WHERE id = $1 FOR NO KEY UPDATE', [roomId]);
}

/** Average, count and histogram of the room's published reviews, written to the room row. */
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
  const rows = await db.query(
    'SELECT id, rating_average, rating_count, rating_histogram FROM rooms WHERE id = $1 AND deleted_at IS NULL',
    [roomId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const h: number[] = row.rating_histogram ?? [0, 0, 0, 0, 0];
  return {
    roomId: row.id,
    average: row.rating_average === null ? null : Number(row.rating_average),
    count: row.rating_count,
    histogram: { 1: h[0], 2: h[1], 3: h[2], 4: h[3], 5: h[4] },
  };
}

export async function insertReview(
  m: EntityManager,
  review: {
    bookingId: string;
    roomId: string;
    authorId: string;
    rating: number;
    comment: string;
    status: ReviewStatus;
    screeningFlags: string[];
  },
): Promise<string | undefined> {
  const rows = await m.query(
    `INSERT INTO reviews (booking_id, room_id, author_id, rating, comment, status, screening_flags)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (booking_id, author_id) DO NOTHING RETURNING id`,
    [
      review.bookingId,
      review.roomId,
      review.authorId,
      review.rating,
      review.comment,
      review.status,
      review.screeningFlags,
    ],
  );
  return rows[0]?.id;
}

export async function updateReviewContent(
  m: EntityManager,
  id: string,
  change: { rating: number; comment: string; status: ReviewStatus; screeningFlags: string[]; clearModeration: boolean },
): Promise<void> {
  await m.query(
    `UPDATE reviews SET rating = $2, comment = $3, status = $4, screening_flags = $5, updated_at = now(),
       moderation_reason = CASE WHEN $6 THEN NULL ELSE moderation_reason END,
       moderated_by = CASE WHEN $6 THEN NULL ELSE moderated_by END,
       moderated_at = CASE WHEN $6 THEN NULL ELSE moderated_at END
     WHERE id = $1`,
    [id, change.rating, change.comment, change.status, change.screeningFlags, change.clearModeration],
  );
}

export async function setModeration(
  m: EntityManager,
  id: string,
  decision: { status: ReviewStatus; reason: string | null; moderatorId: string },
): Promise<void> {
  await m.query(
    'UPDATE reviews SET status = $2, moderation_reason = $3, moderated_by = $4, moderated_at = now(), updated_at = now() WHERE id = $1',
    [id, decision.status, decision.reason, decision.moderatorId],
  );
}

/** The review's row lock: votes on one review are counted one transaction at a time. */
export async function lockReview(
  m: EntityManager,
  id: string,
): Promise<{ roomId: string; authorId: string; status: ReviewStatus } | undefined> {
  const rows = await m.query('SELECT room_id, author_id, status FROM reviews WHERE id = $1 FOR NO KEY UPDATE', [id]);
  return rows[0] ? { roomId: rows[0].room_id, authorId: rows[0].author_id, status: rows[0].status } : undefined;
}

export async function upsertVote(m: EntityManager, reviewId: string, userId: string, helpful: boolean): Promise<void> {
  await m.query(
    `INSERT INTO review_votes (review_id, user_id, helpful) VALUES ($1, $2, $3)
     ON CONFLICT (review_id, user_id) DO UPDATE SET helpful = EXCLUDED.helpful, updated_at = now()`,
    [reviewId, userId, helpful],
  );
}

export async function deleteVote(m: EntityManager, reviewId: string, userId: string): Promise<boolean> {
  const rows = await m.query('DELETE FROM review_votes WHERE review_id = $1 AND user_id = $2 RETURNING review_id', [
    reviewId,
    userId,
  ]);
  return rows.length > 0;
}

export async function countVotes(m: EntityManager, reviewId: string): Promise<{ helpful: number; unhelpful: number }> {
  const [row] = await m.query(
    `SELECT count(*) FILTER (WHERE helpful)::int AS helpful, count(*) FILTER (WHERE NOT helpful)::int AS unhelpful
     FROM review_votes WHERE review_id = $1`,
    [reviewId],
  );
  return { helpful: row.helpful, unhelpful: row.unhelpful };
}

export async function writeVoteCounts(
  m: EntityManager,
  reviewId: string,
  counts: { helpful: number; unhelpful: number; helpfulness: number },
): Promise<void> {
  await m.query('UPDATE reviews SET helpful_count = $2, unhelpful_count = $3, helpfulness = $4 WHERE id = $1', [
    reviewId,
    counts.helpful,
    counts.unhelpful,
    counts.helpfulness,
  ]);
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
  const where = `v.room_id = $2 AND (v.status = 'published' OR v.author_id = $1::uuid)`;
  const order = sort === 'helpful' ? 'v.helpfulness DESC, v.created_at DESC, v.id' : 'v.created_at DESC, v.id';
  const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM reviews v WHERE ${where}`, [viewerId, roomId]);
  const rows = await db.query(`${SELECT_REVIEW} WHERE ${where} ORDER BY ${order} LIMIT $3 OFFSET $4`, [
    viewerId,
    roomId,
    page.limit,
    page.offset,
  ]);
  return { items: rows.map(toRecord), total };
}

export async function listForModeration(
  db: Db,
  filter: { status: ReviewStatus; roomId?: string; limit: number; offset: number },
  viewerId: string,
): Promise<{ items: ReviewRecord[]; total: number }> {
  const where = (status: string, room: string) =>
    `v.status = ${status} AND (${room}::uuid IS NULL OR v.room_id = ${room})`;
  const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM reviews v WHERE ${where('$1', '$2')}`, [
    filter.status,
    filter.roomId ?? null,
  ]);
  // Oldest first: the queue is worked in arrival order.
  const rows = await db.query(
    `${SELECT_REVIEW} WHERE ${where('$2', '$3')} ORDER BY v.created_at, v.id LIMIT $4 OFFSET $5`,
    [viewerId, filter.status, filter.roomId ?? null, filter.limit, filter.offset],
  );
  return { items: rows.map(toRecord), total };
}

/** Facility managers and admins: who moderates reviews. */
export async function moderators(db: Db): Promise<{ id: string; email: string }[]> {
  return db.query("SELECT id, email FROM users WHERE role IN ('facility_manager', 'admin') ORDER BY email");
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

/** Rooms by their average over published reviews since `since`, worst first. */
export async function worstRecentRooms(
  db: Db,
  opts: { since: string; lowRating: number; minReviews: number; limit: number },
): Promise<RecentRoomRatings[]> {
  const rows = await db.query(
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
  return rows.map((row: Record<string, any>) => ({
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
