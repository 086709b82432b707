import { EntitySchema } from 'typeorm';
import type { OccurrenceOutcome, OnConflict } from '../shared/series-messages';
import { integer, text, textArray, timestamptz, timestamptzNow, uuid, uuidKey, manyToOne } from './columns';
import type { RoomEntity } from './room';
import type { UserEntity } from './user';

export type SeriesStatus = 'active' | 'ended' | 'cancelled';

/** A row of `booking_series`: a recurring booking, the projection of its series workflow. */
export interface BookingSeriesEntity {
  id: string;
  roomId: string;
  organizerId: string;
  title: string;
  attendees: string[];
  timezone: string;
  rrule: string;
  exdates: Date[];
  onConflict: OnConflict;
  status: SeriesStatus;
  statusReason: string | null;
  maxConsecutiveReleases: number;
  consecutiveReleases: number;
  /** The series this one was split from by a "this and following" change. */
  splitFrom: string | null;
  workflowId: string;
  createdAt: Date;
  updatedAt: Date;
  room?: RoomEntity;
  organizer?: UserEntity;
  parent?: BookingSeriesEntity | null;
  occurrences?: SeriesOccurrenceEntity[];
}

export const BookingSeriesSchema = new EntitySchema<BookingSeriesEntity>({
  name: 'BookingSeries',
  tableName: 'booking_series',
  columns: {
    id: uuidKey(),
    roomId: uuid('room_id'),
    organizerId: uuid('organizer_id'),
    title: text('title'),
    attendees: textArray('attendees'),
    timezone: text('timezone'),
    rrule: text('rrule'),
    exdates: { name: 'exdates', type: 'timestamp with time zone', array: true, default: () => "'{}'" },
    onConflict: text('on_conflict'),
    status: text('status', { default: 'active' }),
    statusReason: text('status_reason', { nullable: true }),
    maxConsecutiveReleases: integer('max_consecutive_releases', { default: 3 }),
    consecutiveReleases: integer('consecutive_releases', { default: 0 }),
    splitFrom: uuid('split_from', { nullable: true }),
    workflowId: text('workflow_id'),
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  checks: [
    { name: 'booking_series_on_conflict_check', expression: "on_conflict IN ('fail', 'skip')" },
    { name: 'booking_series_status_check', expression: "status IN ('active', 'ended', 'cancelled')" },
  ],
  indices: [{ name: 'booking_series_organizer', columns: ['organizerId'] }],
  relations: {
    room: manyToOne('booking_series', 'room_id', 'Room'),
    organizer: manyToOne('booking_series', 'organizer_id', 'User'),
    parent: manyToOne('booking_series', 'split_from', 'BookingSeries', { nullable: true }),
    occurrences: { type: 'one-to-many', target: 'SeriesOccurrence', inverseSide: 'series' },
  },
});

/** A row of `series_occurrences`: what became of one occurrence of a series' rule. */
export interface SeriesOccurrenceEntity {
  seriesId: string;
  /** The rule's start for it: iCalendar RECURRENCE-ID, unchanged when the occurrence moves. */
  occurrenceStart: Date;
  startAt: Date;
  endAt: Date;
  outcome: OccurrenceOutcome;
  /** The booking, when one was made (no foreign key in the schema). */
  bookingId: string | null;
  conflict: unknown;
  refusal: unknown;
  series?: BookingSeriesEntity;
}

export const SeriesOccurrenceSchema = new EntitySchema<SeriesOccurrenceEntity>({
  name: 'SeriesOccurrence',
  tableName: 'series_occurrences',
  columns: {
    seriesId: { ...uuid('series_id'), primary: true },
    occurrenceStart: { ...timestamptz('occurrence_start'), primary: true },
    startAt: timestamptz('start_at'),
    endAt: timestamptz('end_at'),
    outcome: text('outcome'),
    bookingId: uuid('booking_id', { nullable: true }),
    conflict: { name: 'conflict', type: 'jsonb', nullable: true },
    refusal: { name: 'refusal', type: 'jsonb', nullable: true },
  },
  checks: [
    {
      name: 'series_occurrences_outcome_check',
      expression: "outcome IN ('booked', 'scheduled', 'conflict', 'missed', 'cancelled', 'refused')",
    },
  ],
  relations: {
    series: manyToOne('series_occurrences', 'series_id', 'BookingSeries', {
      inverseSide: 'occurrences',
      onDelete: 'CASCADE',
    }),
  },
});
