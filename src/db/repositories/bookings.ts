import type { DataSource, EntityManager } from 'typeorm';
import { ACTIVE_STATUSES, type BookingStatus } from '../../shared/booking';
import { ACTIVE_STATUSES_SQL } from '../../shared/booking-lifecycle';
import type { BookingSnapshot, BookingSource, BookingView } from '../../shared/booking-messages';
import { selectRows } from '../queryable';

/** The bookings read model: one place for its SQL. Rows leave as plain BookingViews. */

const SELECT_VIEW = `
  SELECT id, room_id, organizer_id, series_id, title, attendees, start_at, end_at, status, status_reason,
         hold_expires_at, check_in_opens_at, check_in_deadline, checked_in_at, workflow_id, run_id,
         version, sequence, created_at, updated_at, source, ical_uid
  FROM bookings`;

export interface BookingRow extends BookingView {
  runId?: string;
}

const iso = (value: Date | string | null | undefined): string | undefined =>
  value ? new Date(value).toISOString() : undefined;

/** The columns of SELECT_VIEW as pg returns them (timestamptz as Date). */
export interface BookingViewRow {
  id: string;
  room_id: string;
  organizer_id: string;
  series_id: string | null;
  title: string;
  attendees: string[] | null;
  start_at: Date;
  end_at: Date;
  status: BookingStatus;
  status_reason: string | null;
  hold_expires_at: Date | null;
  check_in_opens_at: Date | null;
  check_in_deadline: Date | null;
  checked_in_at: Date | null;
  workflow_id: string;
  run_id: string | null;
  version: number;
  sequence: number;
  created_at: Date;
  updated_at: Date;
  source: BookingSource;
  ical_uid: string | null;
}

export function toView(row: BookingViewRow): BookingRow {
  return {
    id: row.id,
    roomId: row.room_id,
    organizerId: row.organizer_id,
    ...(row.series_id ? { seriesId: row.series_id } : {}),
    title: row.title,
    attendees: row.attendees ?? [],
    start: iso(row.start_at)!,
    end: iso(row.end_at)!,
    status: row.status,
    ...(row.status_reason ? { statusReason: row.status_reason } : {}),
    ...(row.hold_expires_at ? { holdExpiresAt: iso(row.hold_expires_at) } : {}),
    ...(row.check_in_opens_at ? { checkInOpensAt: iso(row.check_in_opens_at) } : {}),
    ...(row.check_in_deadline ? { checkInDeadline: iso(row.check_in_deadline) } : {}),
    ...(row.checked_in_at ? { checkedInAt: iso(row.checked_in_at) } : {}),
    workflowId: row.workflow_id,
    ...(row.run_id ? { runId: row.run_id } : {}),
    version: row.version,
    sequence: row.sequence,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    source: row.source,
    ...(row.ical_uid ? { icalUid: row.ical_uid } : {}),
  };
}

export async function findBooking(db: DataSource | EntityManager, id: string): Promise<BookingRow | undefined> {
  const [row] = await selectRows<BookingViewRow>(db, `${SELECT_VIEW} WHERE id = $1`, [id]);
  return row ? toView(row) : undefined;
}

export interface BookingListFilter {
  /** Bookings this user organizes or attends (by email). */
  participant?: { userId: string; email: string };
  roomId?: string;
  from?: string;
  to?: string;
  status?: BookingStatus[];
  seriesId?: string;
  limit: number;
  offset: number;
}

export async function listBookings(
  db: DataSource,
  filter: BookingListFilter,
): Promise<{ items: BookingRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.participant) {
    params.push(filter.participant.userId, filter.participant.email);
    where.push(`(organizer_id = $${params.length - 1} OR $${params.length}::citext = ANY(attendees::citext[]))`);
  }
  if (filter.roomId) add('room_id = ?', filter.roomId);
  if (filter.seriesId) add('series_id = ?', filter.seriesId);
  if (filter.from) add('end_at > ?', filter.from);
  if (filter.to) add('start_at < ?', filter.to);
  if (filter.status?.length) add('status = ANY(?)', filter.status);
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ total }] = await selectRows<{ total: number }>(
    db,
    `SELECT count(*)::int AS total FROM bookings ${clause}`,
    params,
  );
  const rows = await selectRows<BookingViewRow>(
    db,
    `${SELECT_VIEW} ${clause} ORDER BY start_at, id LIMIT ${filter.limit} OFFSET ${filter.offset}`,
    params,
  );
  return { items: rows.map(toView), total };
}

/** The active booking (with its buffer) that overlaps an interval of a room: what a 23P01 ran into. */
export async function findOverlapping(
  db: DataSource | EntityManager,
  roomId: string,
  start: string,
  occupiedUntil: string,
  excludeId?: string,
): Promise<{ id: string; start: string; end: string } | undefined> {
  const rows = await db.query(
    `SELECT id, start_at, occupied_until FROM bookings
     WHERE room_id = $1 AND status = ANY($2) AND tstzrange(start_at, occupied_until, '[)') && tstzrange($3, $4, '[)')
       AND ($5::uuid IS NULL OR id <> $5)
     ORDER BY start_at LIMIT 1`,
    [roomId, ACTIVE_STATUSES, start, occupiedUntil, excludeId ?? null],
  );
  return rows[0] ? { id: rows[0].id, start: iso(rows[0].start_at)!, end: iso(rows[0].occupied_until)! } : undefined;
}

/** Every active booking that occupies part of [from, to) in a room: one read a caller can check many intervals against. */
export async function listOccupying(
  db: DataSource | EntityManager,
  roomId: string,
  from: string,
  to: string,
): Promise<{ id: string; start: string; end: string }[]> {
  const rows: { id: string; start_at: Date; occupied_until: Date }[] = await db.query(
    `SELECT id, start_at, occupied_until FROM bookings
     WHERE room_id = $1 AND status = ANY($2) AND tstzrange(start_at, occupied_until, '[)') && tstzrange($3, $4, '[)')
     ORDER BY start_at`,
    [roomId, ACTIVE_STATUSES, from, to],
  );
  return rows.map((r) => ({ id: r.id, start: iso(r.start_at)!, end: iso(r.occupied_until)! }));
}

export const isExclusionViolation = (err: unknown): boolean =>
  (err as { code?: string })?.code === '23P01' ||
  (err as { driverError?: { code?: string } })?.driverError?.code === '23P01';

// Every column a snapshot writes (the insert also writes INSERT_ONLY_COLUMNS).
const SNAPSHOT_COLUMNS = [
  'room_id',
  'organizer_id',
  'series_id',
  'title',
  'attendees',
  'start_at',
  'end_at',
  'occupied_until',
  'status',
  'status_reason',
  'hold_expires_at',
  'check_in_opens_at',
  'check_in_deadline',
  'checked_in_at',
  'ended_at',
  'reminder_sent_at',
  'workflow_id',
  'run_id',
  'previous_workflow_ids',
  'version',
  'sequence',
  'created_at',
  'updated_at',
];
// Written once, when the row is inserted: where the booking came from never changes.
const INSERT_ONLY_COLUMNS = ['occurrence_start', 'source', 'ical_uid'];
const insertOnlyValues = (s: BookingSnapshot): unknown[] => [s.occurrenceStart ?? null, s.source, s.icalUid ?? null];
const ASSIGNMENTS = SNAPSHOT_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ');
const VERSION_PARAM = SNAPSHOT_COLUMNS.indexOf('version') + 2;

function rowValues(s: BookingSnapshot): unknown[] {
  return [
    s.roomId,
    s.organizerId,
    s.seriesId ?? null,
    s.title,
    s.attendees,
    s.start,
    s.end,
    s.occupiedUntil,
    s.status,
    s.statusReason ?? null,
    s.holdExpiresAt ?? null,
    s.checkInOpensAt ?? null,
    s.checkInDeadline ?? null,
    s.checkedInAt ?? null,
    s.endedAt ?? null,
    s.reminderSentAt ?? null,
    s.workflowId,
    s.runId ?? null,
    s.previousWorkflowIds ?? [],
    s.version,
    s.sequence,
    s.createdAt,
    s.updatedAt,
  ];
}

/** The one insert of a booking row, single or series occurrence; a 23P01 means the slot is taken. */
export async function insertBooking(db: DataSource | EntityManager, s: BookingSnapshot): Promise<void> {
  const values = [...rowValues(s), ...insertOnlyValues(s)];
  const columns = [...SNAPSHOT_COLUMNS, ...INSERT_ONLY_COLUMNS];
  await db.query(
    `INSERT INTO bookings (id, ${columns.join(', ')}) VALUES ($1, ${values.map((_, i) => `$${i + 2}`).join(', ')})`,
    [s.id, ...values],
  );
}

/** Writes the snapshot if it is newer than the row (a repeated or stale write changes nothing). */
export async function saveBookingSnapshot(db: DataSource | EntityManager, s: BookingSnapshot): Promise<boolean> {
  const result = await db.query(`UPDATE bookings SET ${ASSIGNMENTS} WHERE id = $1 AND version < $${VERSION_PARAM}`, [
    s.id,
    ...rowValues(s),
  ]);
  return (result[1] ?? 0) > 0;
}

/** Why a reservation inserted nothing: a retried attempt's row exists, or the organizer is at a cap. */
export type ReservationVerdict =
  { verdict: 'ok' } | { verdict: 'exists' } | { verdict: 'holds' | 'future'; count: number };

/**
 * Inserts a single booking's row in one statement (one round trip): reserve_booking_verdict takes
 * the organizer's lock, then checks for a retried attempt's row and the caps; the row goes in
 * only when it answers ok. A 23P01 means the slot is taken.
 */
export async function reserveBookingRow(
  db: DataSource | EntityManager,
  s: BookingSnapshot,
  limits: { maxActiveHoldsPerUser: number; maxFutureBookingsPerUser: number },
): Promise<ReservationVerdict> {
  const columns = ['id', ...SNAPSHOT_COLUMNS, ...INSERT_ONLY_COLUMNS];
  const values = [s.id, ...rowValues(s), ...insertOnlyValues(s)];
  // The row travels as one JSON object that Postgres types by the table's own columns.
  const row = Object.fromEntries(columns.map((c, i) => [c, values[i]]));
  const [result] = await db.query(
    `WITH guard AS MATERIALIZED (SELECT reserve_booking_verdict($1, $2, $3, $4, $5) AS v),
     inserted AS (
       INSERT INTO bookings (${columns.join(', ')})
       SELECT ${columns.map((c) => `r.${c}`).join(', ')}
       FROM guard, jsonb_populate_record(NULL::bookings, $6::jsonb) r
       WHERE guard.v->>'verdict' = 'ok'
     )
     SELECT v FROM guard`,
    [s.organizerId, s.id, s.status === 'held', limits.maxActiveHoldsPerUser, limits.maxFutureBookingsPerUser, row],
  );
  return result.v;
}

/**
 * Serializes one organizer's creates (single bookings and series alike) until the transaction
 * ends, so that concurrent creates cannot both slip under a cap.
 */
export async function lockOrganizerBookings(tx: EntityManager, organizerId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('bookings-of:' || $1))", [organizerId]);
}

/** What the caps count: active holds, and active bookings still to start (optionally leaving out one series). */
export async function countOrganizerBookings(
  tx: EntityManager,
  organizerId: string,
  exceptSeriesId?: string,
): Promise<{ holds: number; future: number }> {
  const [counts] = await tx.query(
    `SELECT count(*) FILTER (WHERE status = 'held')::int AS holds,
            count(*) FILTER (WHERE status IN ${ACTIVE_STATUSES_SQL} AND start_at > now())::int AS future
     FROM bookings WHERE organizer_id = $1 AND ($2::uuid IS NULL OR series_id IS DISTINCT FROM $2::uuid)`,
    [organizerId, exceptSeriesId ?? null],
  );
  return counts;
}

export async function bookingExists(
  db: DataSource | EntityManager,
  id: string,
): Promise<{ status: BookingStatus; version: number } | undefined> {
  const [row] = await db.query('SELECT status, version FROM bookings WHERE id = $1', [id]);
  return row;
}

/** Cancels an active booking that has no workflow (none could start for it); returns its room, if it changed. */
export async function releaseBookingWithoutWorkflow(
  db: DataSource | EntityManager,
  id: string,
  reason: string,
): Promise<string | undefined> {
  const [rows] = await db.query(
    `UPDATE bookings SET status = 'cancelled', status_reason = $2, version = version + 1, sequence = sequence + 1, updated_at = now()
     WHERE id = $1 AND status IN ${ACTIVE_STATUSES_SQL} RETURNING room_id`,
    [id, reason],
  );
  return rows?.[0]?.room_id;
}

/** The workflows a booking ran in before a reschedule started a new one, oldest first. */
export async function previousWorkflowIds(db: DataSource | EntityManager, id: string): Promise<string[]> {
  const [row] = (await db.query('SELECT previous_workflow_ids FROM bookings WHERE id = $1', [id])) as {
    previous_workflow_ids: string[] | null;
  }[];
  return row?.previous_workflow_ids ?? [];
}

/** A series occurrence's original start (its RECURRENCE-ID), unchanged when the occurrence is moved. */
export async function occurrenceStartOf(db: DataSource | EntityManager, id: string): Promise<Date | undefined> {
  const [row] = (await db.query('SELECT occurrence_start FROM bookings WHERE id = $1', [id])) as {
    occurrence_start: Date | null;
  }[];
  return row?.occurrence_start ? new Date(row.occurrence_start) : undefined;
}
