import type { DataSource, EntityManager } from 'typeorm';
import type { BookingStatus } from '../../shared/booking';
import type { OccurrenceOutcome, OccurrenceResult, OnConflict } from '../../shared/series-messages';

/** Reads of a booking series and its occurrences for the API. */

type Db = Pick<DataSource | EntityManager, 'query'>;

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
  const [row] = (await db.query('SELECT * FROM booking_series WHERE id = $1', [id])) as SeriesRow[];
  return row;
}

export async function listSeriesOccurrences(db: Db, seriesId: string): Promise<SeriesOccurrenceRow[]> {
  return (await db.query(
    `SELECT o.occurrence_start, o.start_at, o.end_at, o.outcome, o.booking_id, o.conflict, o.refusal, b.status, b.start_at AS booking_start, b.end_at AS booking_end
     FROM series_occurrences o LEFT JOIN bookings b ON b.id = o.booking_id WHERE o.series_id = $1 ORDER BY o.occurrence_start`,
    [seriesId],
  )) as SeriesOccurrenceRow[];
}
