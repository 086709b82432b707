import { CANCELLABLE_STATUSES } from '../../shared/booking-lifecycle';
import type { BookingStatus } from '../../shared/booking';
import {
  seriesWorkflowId,
  type OccurrenceOutcome,
  type OccurrenceResult,
  type OnConflict,
  type SeriesChangeScope,
  type SeriesDefinition,
} from '../../shared/series-messages';
import { selectRows, type Queryable } from '../queryable';

/** A booking series and its occurrences: the API's reads, the series activities' writes. */

type Db = Queryable;

export interface SeriesRow {
  id: string;
  room_id: string;
  organizer_id: string;
  title: string;
  attendees: string[];
  timezone: string;
  rrule: string;
  exdates: Date[] | null;
  on_conflict: OnConflict;
  status: 'active' | 'ended' | 'cancelled';
  status_reason: string | null;
  max_consecutive_releases: number;
  consecutive_releases: number;
  split_from: string | null;
  workflow_id: string;
  created_at: Date;
  updated_at: Date;
}

/** An occurrence with the slot and status of its booking, when it has one. */
export interface SeriesOccurrenceRow {
  occurrence_start: Date;
  start_at: Date;
  end_at: Date;
  outcome: OccurrenceOutcome;
  booking_id: string | null;
  conflict: { conflictingBookingId?: string; start: string; end: string } | null;
  refusal: OccurrenceResult['refusal'] | null;
  status: BookingStatus | null;
  booking_start: Date | null;
  booking_end: Date | null;
}

export async function findSeries(db: Db, id: string): Promise<SeriesRow | undefined> {
  const [row] = await selectRows<SeriesRow>(db, 'SELECT * FROM booking_series WHERE id = $1', [id]);
  return row;
}

export async function listSeriesOccurrences(db: Db, seriesId: string): Promise<SeriesOccurrenceRow[]> {
  return selectRows<SeriesOccurrenceRow>(
    db,
    `SELECT o.occurrence_start, o.start_at, o.end_at, o.outcome, o.booking_id, o.conflict, o.refusal, b.status, b.start_at AS booking_start, b.end_at AS booking_end
     FROM series_occurrences o LEFT JOIN bookings b ON b.id = o.booking_id WHERE o.series_id = $1 ORDER BY o.occurrence_start`,
    [seriesId],
  );
}

/** The series row, once: a retried first batch finds it written (ON CONFLICT). */
export async function insertSeries(db: Db, series: SeriesDefinition): Promise<void> {
  await db.query<unknown>(
    `INSERT INTO booking_series (id, room_id, organizer_id, title, attendees, timezone, rrule, exdates, on_conflict, max_consecutive_releases, split_from, workflow_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) ON CONFLICT (id) DO NOTHING`,
    [
      series.seriesId,
      series.roomId,
      series.organizerId,
      series.title,
      series.attendees,
      series.timezone,
      series.rrule,
      series.exdates,
      series.onConflict,
      series.maxConsecutiveReleases,
      series.splitFrom ?? null,
      seriesWorkflowId(series.seriesId),
      series.createdAt,
    ],
  );
}

/** Records what became of an occurrence; a retried batch overwrites its own earlier answer. */
export async function upsertOccurrence(db: Db, seriesId: string, r: OccurrenceResult): Promise<void> {
  await db.query<unknown>(
    `INSERT INTO series_occurrences (series_id, occurrence_start, start_at, end_at, outcome, booking_id, conflict, refusal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (series_id, occurrence_start) DO UPDATE SET start_at = $3, end_at = $4, outcome = $5, booking_id = $6, conflict = $7, refusal = $8`,
    [
      seriesId,
      r.occurrenceStart,
      r.start,
      r.end,
      r.outcome,
      r.bookingId ?? null,
      r.conflict ? JSON.stringify(r.conflict) : null,
      r.refusal ? JSON.stringify(r.refusal) : null,
    ],
  );
}

/** Occurrences the series dropped before booking them. */
export async function markOccurrencesCancelled(db: Db, seriesId: string, occurrenceStarts: string[]): Promise<void> {
  await db.query<unknown>(
    "UPDATE series_occurrences SET outcome = 'cancelled' WHERE series_id = $1 AND occurrence_start = ANY($2::timestamptz[])",
    [seriesId, occurrenceStarts],
  );
}

/** The series' bookings in scope that can still be cancelled, in time order, with their workflows. */
export function listCancellableSeriesBookings(
  db: Db,
  seriesId: string,
  scope: SeriesChangeScope,
  occurrenceStart?: string,
): Promise<{ id: string; workflow_id: string }[]> {
  const clause = scope === 'all' ? '' : scope === 'one' ? 'AND occurrence_start = $3' : 'AND occurrence_start >= $3';
  return selectRows<{ id: string; workflow_id: string }>(
    db,
    `SELECT id, workflow_id FROM bookings WHERE series_id = $1 AND status = ANY($2) ${clause} ORDER BY start_at`,
    [seriesId, CANCELLABLE_STATUSES, ...(scope === 'all' ? [] : [occurrenceStart])],
  );
}

/** The series row as the workflow sees it: absent fields keep their value. */
export async function updateSeriesState(
  db: Db,
  seriesId: string,
  state: { status?: SeriesRow['status']; statusReason?: string; consecutiveReleases?: number },
): Promise<void> {
  await db.query<unknown>(
    `UPDATE booking_series SET status = coalesce($2, status), status_reason = coalesce($3, status_reason),
       consecutive_releases = coalesce($4, consecutive_releases), updated_at = now() WHERE id = $1`,
    [seriesId, state.status ?? null, state.statusReason ?? null, state.consecutiveReleases ?? null],
  );
}

/** A not-yet-booked occurrence's new slot. */
export async function moveOccurrence(
  db: Db,
  seriesId: string,
  occurrence: { occurrenceStart: string; start: string; end: string },
): Promise<void> {
  await db.query<unknown>(
    'UPDATE series_occurrences SET start_at = $3, end_at = $4 WHERE series_id = $1 AND occurrence_start = $2',
    [seriesId, occurrence.occurrenceStart, occurrence.start, occurrence.end],
  );
}
