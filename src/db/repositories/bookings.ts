import type { DataSource, EntityManager } from 'typeorm';
import { ACTIVE_STATUSES, type BookingStatus } from '../../shared/booking';
import type { BookingView } from '../../shared/booking-messages';

/** The bookings read model: one place for its SQL. Rows leave as plain BookingViews. */

const SELECT_VIEW = `
  SELECT id, room_id, organizer_id, series_id, title, attendees, start_at, end_at, status, status_reason,
         hold_expires_at, check_in_opens_at, check_in_deadline, checked_in_at, workflow_id, run_id,
         version, sequence, created_at, updated_at
  FROM bookings`;

export interface BookingRow extends BookingView {
  runId?: string;
}

const iso = (value: Date | string | null | undefined): string | undefined => (value ? new Date(value).toISOString() : undefined);

export function toView(row: Record<string, any>): BookingRow {
  return {
    id: row.id,
    roomId: row.room_id,
    organizerId: row.organizer_id,
    ...(row.series_id ? { seriesId: row.series_id } : {}),
    title: row.title,
    attendees: row.attendees ?? [],
    start: iso(row.start_at)!,
    end: iso(row.end_at)!,
    status: row.status as BookingStatus,
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
  };
}

export async function findBooking(db: DataSource | EntityManager, id: string): Promise<BookingRow | undefined> {
  const rows = await db.query(`${SELECT_VIEW} WHERE id = $1`, [id]);
  return rows[0] ? toView(rows[0]) : undefined;
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

export async function listBookings(db: DataSource, filter: BookingListFilter): Promise<{ items: BookingRow[]; total: number }> {
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
  const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM bookings ${clause}`, params);
  const rows = await db.query(`${SELECT_VIEW} ${clause} ORDER BY start_at, id LIMIT ${filter.limit} OFFSET ${filter.offset}`, params);
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

export const isExclusionViolation = (err: unknown): boolean => (err as { code?: string })?.code === '23P01' || (err as { driverError?: { code?: string } })?.driverError?.code === '23P01';
