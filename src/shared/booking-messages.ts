// The booking workflow's contract: its input, the view it answers with, and its messages. Both
// the API and the workflow import this file, so it holds definitions only.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BookingStatus, RoomPolicy } from './booking';
import type { ReserveMode } from './booking-lifecycle';

export const BOOKING_WORKFLOW_TYPE = 'bookingWorkflow';
export const BOOKING_FOLLOWUP_WORKFLOW_TYPE = 'bookingFollowUpWorkflow';

/**
 * `booking-followup:<bookingId>`: what is left to do once a booking no longer occupies its slot
 * (mail still retrying, the review prompt, its reminder and window). Keyed by the booking, so it
 * outlives the slot's workflow and never keeps the slot from being booked again.
 */
export function followUpWorkflowId(bookingId: string): string {
  return `booking-followup:${bookingId}`;
}

/** `booking:<roomId>:<start as UTC ISO-8601 to the second>`: one running booking per room and start. */
export function bookingWorkflowId(roomId: string, start: string | Date): string {
  const iso = (typeof start === 'string' ? new Date(start) : start).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `booking:${roomId}:${iso}`;
}

/** What a booking workflow carries over when a reschedule moves it to another slot's workflow. */
export interface CarriedState {
  status: BookingStatus;
  version: number;
  sequence: number;
  /** Every workflow the booking lived in before this one, oldest first. */
  previousWorkflowIds: string[];
  holdExpiresAt?: string;
  approvalDeadline?: string;
  checkedInAt?: string;
  reminderSentAt?: string;
  /** The slot it moved from (absent for runs moved by the workflow before the lifecycle module). */
  movedFrom?: SlotRef;
  /** When the booking took its new slot: the reminder is for slots taken before its time. */
  slotTakenAt?: string;
  /** Messages the previous slot's workflow had not delivered when it handed over. */
  undelivered?: PendingMessage[];
}

/** Where a booking was: the room and slot, and the workflow that held it. */
export interface SlotRef {
  roomId: string;
  start: string;
  end: string;
  workflowId: string;
}

/** The room a booking moves to, when it changes rooms (what the workflow of the new slot needs). */
export interface MoveTarget {
  roomId: string;
  roomName: string;
  roomTimezone: string;
  policy: RoomPolicy;
}

/**
 * A series occurrence whose row the series already inserted (one transaction for the whole series,
 * checked against the exclusion constraint): the workflow takes over that row instead of reserving.
 */
export interface PreReservedState {
  status: BookingStatus;
  version: number;
  approvalDeadline?: string;
}

/** Where, by whom and with whom: what a booking and a series are both booked with. */
export interface MeetingDetails {
  roomId: string;
  roomName: string;
  roomTimezone: string;
  organizerId: string;
  organizerLabel: string;
  title: string;
  attendees: string[];
}

export interface BookingWorkflowInput extends MeetingDetails {
  bookingId: string;
  start: string;
  end: string;
  policy: RoomPolicy;
  seriesId?: string;
  createdAt: string;
  carried?: CarriedState;
  /** Set only for series occurrences started by their series workflow. */
  preReserved?: PreReservedState;
  /** Where the booking came from: `imip` for a room mailbox's invite (with its UID); unset is `api`. */
  source?: BookingSource;
  icalUid?: string;
}

/** How a booking was made: through the API (or the display, a series, the waitlist) or by inviting a room's mailbox. */
export const BOOKING_SOURCES = ['api', 'imip'] as const;
export type BookingSource = (typeof BOOKING_SOURCES)[number];

export interface BookingView {
  id: string;
  roomId: string;
  organizerId: string;
  seriesId?: string;
  title: string;
  attendees: string[];
  start: string;
  end: string;
  status: BookingStatus;
  statusReason?: string;
  holdExpiresAt?: string;
  checkInOpensAt?: string;
  checkInDeadline?: string;
  checkedInAt?: string;
  workflowId: string;
  version: number;
  sequence: number;
  createdAt: string;
  updatedAt: string;
  source: BookingSource;
  /** The invite's UID, for bookings made by inviting a room's mailbox. */
  icalUid?: string;
}

export type { ReserveMode } from './booking-lifecycle';

/** The whole row as the workflow sees it: every write is a full snapshot, so repeating one changes nothing. */
export interface BookingSnapshot extends BookingView {
  occupiedUntil: string;
  runId?: string;
  endedAt?: string;
  reminderSentAt?: string;
  previousWorkflowIds?: string[];
  /** Series occurrences: the occurrence's start by the series' rule (before any move). */
  occurrenceStart?: string;
}

/** Every moment of a booking's life that someone should hear about. */
export const BOOKING_EVENT_KINDS = [
  'hold_created',
  'pending_approval',
  'confirmed',
  'approved',
  'rejected',
  'expired',
  'cancelled',
  'rescheduled',
  'reminder',
  'check_in_opened',
  'checked_in',
  'meeting_started',
  'released',
  'completed',
  'review_prompt',
  'review_reminder',
] as const;
export type BookingEventKind = (typeof BOOKING_EVENT_KINDS)[number];

/** Moments of the meeting itself: the realtime channel carries them, no mail does. */
const REALTIME_ONLY_KINDS: readonly BookingEventKind[] = [
  'check_in_opened',
  'checked_in',
  'meeting_started',
  'completed',
];

/** The kinds that also go out by mail; the rest are realtime only. */
export const MAILED_EVENT_KINDS: readonly BookingEventKind[] = BOOKING_EVENT_KINDS.filter(
  (kind) => !REALTIME_ONLY_KINDS.includes(kind),
);

/** What the workflow hands to delivery (realtime and mail): the kind, the booking as of now, who not to tell. */
export interface BookingEvent {
  kind: BookingEventKind;
  booking: BookingView;
  /** People (user ids or emails) who need no message, e.g. those who already reviewed. */
  skipRecipients?: string[];
  /** A move: the slot it left, whose room must hear of it too. */
  previous?: SlotRef;
}

/** A message not yet delivered on a channel: handed from a slot's workflow to the next one or to the follow-up. */
export interface PendingMessage {
  event: BookingEvent;
  mail: boolean;
  announce: boolean;
}

/** What a booking's follow-up starts with. */
export interface FollowUpInput {
  booking: BookingView;
  policy: RoomPolicy;
  /** When the meeting ended (completed bookings only): the review window runs from here. */
  endedAt?: string;
  undelivered: PendingMessage[];
}

export interface FollowUpState {
  bookingId: string;
  status: BookingStatus;
  undelivered: number;
  review?: { promptSentAt?: string; reminderSent: boolean; closesAt: string; reviewers: string[] };
}

/** How the workflow closed: the booking's last status, or `refused`/`moved` when it never held or left the slot. */
export interface BookingOutcome {
  bookingId: string;
  result: BookingStatus | 'refused' | 'moved';
  movedTo?: string;
  /** The follow-up that carries on (mail still to deliver, the review window). */
  followUp?: string;
}

// Failure types the API maps to HTTP answers; listed as non-retryable for the activities.
export const FailureTypes = {
  slotConflict: 'SlotConflict',
  policyViolation: 'PolicyViolation',
  invalidState: 'InvalidState',
  /** The key's workflow is closing (its booking just ended): the caller may retry at once. */
  slotClosing: 'SlotClosing',
  /** A room outage covers the interval (HTTP 422 ROOM_UNAVAILABLE). */
  roomUnavailable: 'RoomUnavailable',
} as const;

/** Details of a RoomUnavailable failure: the outage in the way. */
export interface RoomUnavailableDetails {
  outageId: string;
  from: string;
  /** Absent: until further notice (a blocking ticket's outage). */
  until?: string;
  reason: string;
}

/** Details of a SlotConflict failure: the interval that is in the way. */
export interface SlotConflictDetails {
  conflictingBookingId?: string;
  /** The room outage in the way (a series occurrence inside an outage's window). */
  outageId?: string;
  start: string;
  end: string;
}

/**
 * The first update: reserves the slot. `offered`: the organizer hears of the hold by mail, as for
 * a hold offered by someone else (a waitlist offer) or, with MAIL_OWN_HOLDS=true, for every hold; a
 * hold callers make for themselves sends none otherwise.
 */
export const reserveUpdate = defineUpdate<BookingView, [{ bookingId: string; mode: ReserveMode; offered?: boolean }]>(
  'reserve',
);
export const confirmUpdate = defineUpdate<BookingView, []>('confirm');
export const approveUpdate = defineUpdate<BookingView, [{ by: string }]>('approve');
export const rejectUpdate = defineUpdate<BookingView, [{ by: string; reason: string }]>('reject');
export const cancelUpdate = defineUpdate<BookingView, [{ by: string; reason?: string }]>('cancel');
export const checkInUpdate = defineUpdate<BookingView, [{ by: string }]>('checkIn');
export const checkOutUpdate = defineUpdate<BookingView, [{ by: string }]>('checkOut');
export const extendUpdate = defineUpdate<BookingView, [{ end: string }]>('extend');
/** A new slot (in another room, with `room`), and optionally new details written in the same step (all or nothing). */
export const rescheduleUpdate = defineUpdate<
  BookingView,
  [{ start: string; end: string; title?: string; attendees?: string[]; room?: MoveTarget }]
>('reschedule');
export const editUpdate = defineUpdate<BookingView, [{ title?: string; attendees?: string[] }]>('edit');

export const bookingStateQuery = defineQuery<BookingView>('state');
export const followUpStateQuery = defineQuery<FollowUpState>('followUpState');

/** A review arrived: the workflow stops reminding that person. */
export const reviewSubmittedSignal = defineSignal<[{ userId: string; email: string }]>('reviewSubmitted');
