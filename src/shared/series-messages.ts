// The series workflow's contract: input, messages and answers. Imported by the API, the
// activities and the workflows, so it holds definitions only.
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BookingStatus, RoomPolicy } from './booking';
import type { BookingSource, MeetingDetails, SlotConflictDetails } from './booking-messages';

export const SERIES_WORKFLOW_TYPE = 'seriesWorkflow';

/** `series:<seriesId>`: a series child finds its parent by this name. */
export const seriesWorkflowId = (seriesId: string): string => `series:${seriesId}`;

export type OnConflict = 'fail' | 'skip';

/** One occurrence still to be booked. `occurrenceStart` is its original start (RECURRENCE-ID); an exception may change the rest. */
export interface SeriesOccurrence {
  occurrenceStart: string;
  start: string;
  end: string;
  /** Booking id to use when it is materialized: chosen once (deterministically) so retries reuse it. */
  bookingId?: string;
  title?: string;
  attendees?: string[];
}

/** How a series recurs, as requested (and read back): the zone, rule and exdates its occurrences come from, and what a conflict does. */
export interface SeriesRecurrence {
  timezone: string;
  rrule: string;
  exdates: string[];
  onConflict: OnConflict;
}

export interface SeriesDefinition extends MeetingDetails, SeriesRecurrence {
  seriesId: string;
  /** Occurrences further than this from now are booked later, as time moves on (room policy horizonDays × 86400). */
  horizonSeconds: number;
  /** Consecutive no-show releases that end the series (default 3). */
  maxConsecutiveReleases: number;
  /** The series this one was split from (edit this-and-following). */
  splitFrom?: string;
  policy: RoomPolicy;
  createdAt: string;
  /** A series opened by inviting a room's mailbox: every occurrence carries the invite's source and UID. */
  source?: BookingSource;
  icalUid?: string;
}

export interface SeriesWorkflowInput extends SeriesDefinition {
  /** Occurrences not yet booked, in order. */
  pending: SeriesOccurrence[];
  /** Set by continue-as-new: what the previous run had already done. */
  carried?: { consecutiveReleases: number; lastOccurrenceEnd: string };
}

export type OccurrenceOutcome = 'booked' | 'scheduled' | 'conflict' | 'missed' | 'cancelled' | 'refused';

export interface OccurrenceResult {
  occurrenceStart: string;
  start: string;
  end: string;
  outcome: OccurrenceOutcome;
  bookingId?: string;
  status?: BookingStatus;
  version?: number;
  approvalDeadline?: string;
  conflict?: SlotConflictDetails;
  /** Why a later occurrence was not booked (outcome refused): a policy rule such as the cap on upcoming bookings. */
  refusal?: { rule: string; limit: number; message: string };
}

export interface SeriesOpened {
  seriesId: string;
  occurrences: OccurrenceResult[];
}

export type SeriesChangeScope = 'one' | 'following' | 'all';

export const SeriesFailureTypes = { seriesConflict: 'SeriesConflict' } as const;

/** Update-with-start: checks every occurrence against the database, books those within the horizon, answers with each outcome. */
export const openSeriesUpdate = defineUpdate<SeriesOpened, []>('openSeries');
/** Cancels occurrences (not yet booked ones are dropped; booked ones get their booking cancelled). */
export const cancelSeriesUpdate = defineUpdate<
  { cancelled: string[] },
  [{ scope: SeriesChangeScope; occurrenceStart?: string; reason: string }]
>('cancelSeries');
/** Changes one occurrence that is not booked yet (an exception); booked ones are changed through their booking. */
export const editPendingOccurrenceUpdate = defineUpdate<
  { edited: boolean },
  [{ occurrenceStart: string; start?: string; end?: string; title?: string; attendees?: string[] }]
>('editPendingOccurrence');
/** A series child tells its parent how its occurrence went: released (a no-show) or attended (checked in). */
export const occurrenceSettledSignal =
  defineSignal<[{ bookingId: string; occurrenceStart?: string; outcome: 'released' | 'attended' }]>(
    'occurrenceSettled',
  );
