import { EntitySchema } from 'typeorm';
import type { BookingStatus } from '../shared/booking';
import { ACTIVE_STATUSES_SQL } from '../shared/booking-lifecycle';
import { integer, text, textArray, timestamptz, timestamptzNow, uuid, uuidKey, manyToOne } from './columns';
import type { RoomEntity } from './room';
import type { UserEntity } from './user';

/** A row of `bookings`: the projection of one booking workflow's state. */
export interface BookingEntity {
  id: string;
  roomId: string;
  organizerId: string;
  /** The series this booking is an occurrence of (no foreign key in the schema). */
  seriesId: string | null;
  occurrenceStart: Date | null;
  title: string;
  attendees: string[];
  startAt: Date;
  endAt: Date;
  /** endAt plus the room's buffer: what the exclusion constraint keeps apart. */
  occupiedUntil: Date;
  status: BookingStatus;
  workflowId: string;
  runId: string | null;
  previousWorkflowIds: string[];
  holdExpiresAt: Date | null;
  checkInOpensAt: Date | null;
  checkInDeadline: Date | null;
  checkedInAt: Date | null;
  endedAt: Date | null;
  statusReason: string | null;
  reminderSentAt: Date | null;
  version: number;
  sequence: number;
  /** `api` or `imip` (booked by inviting the room's mailbox). */
  source: string;
  /** The invite's UID and the SEQUENCE last applied (iMIP bookings only). */
  icalUid: string | null;
  icalSequence: number | null;
  createdAt: Date;
  updatedAt: Date;
  room?: RoomEntity;
  organizer?: UserEntity;
  notifications?: BookingNotificationEntity[];
}

export const BookingSchema = new EntitySchema<BookingEntity>({
  name: 'Booking',
  tableName: 'bookings',
  columns: {
    id: uuidKey(),
    roomId: uuid('room_id'),
    organizerId: uuid('organizer_id'),
    seriesId: uuid('series_id', { nullable: true }),
    occurrenceStart: timestamptz('occurrence_start', { nullable: true }),
    title: text('title'),
    attendees: textArray('attendees'),
    startAt: timestamptz('start_at'),
    endAt: timestamptz('end_at'),
    occupiedUntil: timestamptz('occupied_until'),
    status: text('status'),
    workflowId: text('workflow_id'),
    runId: text('run_id', { nullable: true }),
    previousWorkflowIds: textArray('previous_workflow_ids'),
    holdExpiresAt: timestamptz('hold_expires_at', { nullable: true }),
    checkInOpensAt: timestamptz('check_in_opens_at', { nullable: true }),
    checkInDeadline: timestamptz('check_in_deadline', { nullable: true }),
    checkedInAt: timestamptz('checked_in_at', { nullable: true }),
    endedAt: timestamptz('ended_at', { nullable: true }),
    statusReason: text('status_reason', { nullable: true }),
    reminderSentAt: timestamptz('reminder_sent_at', { nullable: true }),
    version: integer('version', { default: 0 }),
    sequence: integer('sequence', { default: 0 }),
    source: text('source', { default: 'api' }),
    icalUid: text('ical_uid', { nullable: true }),
    icalSequence: { name: 'ical_sequence', type: 'integer', nullable: true },
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  checks: [
    { name: 'bookings_check', expression: 'end_at > start_at' },
    { name: 'bookings_check1', expression: 'occupied_until >= end_at' },
    {
      name: 'bookings_status_check',
      expression:
        "status IN ('held', 'pending_approval', 'confirmed', 'checked_in', 'completed', 'expired', 'rejected', 'cancelled', 'released')",
    },
    { name: 'bookings_source_check', expression: "source IN ('api', 'imip')" },
  ],
  // What makes double booking impossible. TypeORM knows it by name only (it never reads the expression back).
  exclusions: [
    {
      name: 'bookings_no_overlap',
      expression: `USING gist (room_id WITH =, tstzrange(start_at, occupied_until, '[)') WITH &&) WHERE (status IN ${ACTIVE_STATUSES_SQL})`,
    },
  ],
  indices: [
    { name: 'bookings_organizer_start', columns: ['organizerId', 'startAt'] },
    { name: 'bookings_room_start', columns: ['roomId', 'startAt'] },
    { name: 'bookings_room_ical_uid', columns: ['roomId', 'icalUid'], where: 'ical_uid IS NOT NULL' },
    { name: 'bookings_workflow', columns: ['workflowId'] },
    { name: 'bookings_status_start', columns: ['status', 'startAt'] },
    { name: 'bookings_room_active_start', columns: ['roomId', 'startAt'], where: `status IN ${ACTIVE_STATUSES_SQL}` },
    { name: 'bookings_series', columns: ['seriesId', 'occurrenceStart'], where: 'series_id IS NOT NULL' },
  ],
  relations: {
    room: manyToOne('bookings', 'room_id', 'Room'),
    organizer: manyToOne('bookings', 'organizer_id', 'User'),
    notifications: { type: 'one-to-many', target: 'BookingNotification', inverseSide: 'booking' },
  },
});

/** A row of `booking_notifications`: a message the workflow decided to send, once per (booking, kind, version). */
export interface BookingNotificationEntity {
  /** bigserial: pg hands it over as a string. */
  id: string;
  bookingId: string;
  kind: string;
  version: number;
  createdAt: Date;
  booking?: BookingEntity;
}

export const BookingNotificationSchema = new EntitySchema<BookingNotificationEntity>({
  name: 'BookingNotification',
  tableName: 'booking_notifications',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    bookingId: uuid('booking_id'),
    kind: text('kind'),
    version: integer('version'),
    createdAt: timestamptzNow('created_at'),
  },
  uniques: [{ name: 'booking_notifications_booking_id_kind_version_key', columns: ['bookingId', 'kind', 'version'] }],
  relations: {
    booking: manyToOne('booking_notifications', 'booking_id', 'Booking', {
      inverseSide: 'notifications',
      onDelete: 'CASCADE',
    }),
  },
});

/** A row of `booking_idempotency_keys`: a create request's key, per user. */
export interface BookingIdempotencyKeyEntity {
  userId: string;
  key: string;
  requestHash: string;
  /** The booking the first request created (no foreign key in the schema). */
  bookingId: string;
  createdAt: Date;
  user?: UserEntity;
}

export const BookingIdempotencyKeySchema = new EntitySchema<BookingIdempotencyKeyEntity>({
  name: 'BookingIdempotencyKey',
  tableName: 'booking_idempotency_keys',
  columns: {
    userId: { ...uuid('user_id'), primary: true },
    key: { type: 'text', primary: true },
    requestHash: text('request_hash'),
    bookingId: uuid('booking_id'),
    createdAt: timestamptzNow('created_at'),
  },
  relations: {
    user: manyToOne('booking_idempotency_keys', 'user_id', 'User', { onDelete: 'CASCADE' }),
  },
});
