import { EntitySchema } from 'typeorm';
import { text, timestamptz, timestamptzNow, uuid, manyToOne } from './columns';
import type { BookingEntity } from './booking';

export const BOOKING_EVENT_KINDS = [
  'held',
  'pending_approval',
  'booked',
  'checked_in',
  'released',
  'checked_out',
  'completed',
  'cancelled',
  'expired',
  'rejected',
  'moved',
] as const;
export type BookingEventKind = (typeof BOOKING_EVENT_KINDS)[number];

/**
 * A row of `booking_events`: one change of a booking's life, written by the `bookings_record_event`
 * trigger in the transaction that changed the row (never by application code).
 */
export interface BookingEventEntity {
  /** bigserial: pg hands it over as a string. */
  id: string;
  bookingId: string;
  /** The room the booking was in after the change (no foreign key: history outlives the catalog). */
  roomId: string;
  kind: BookingEventKind;
  /** The row's updated_at: the workflow's clock at the change. */
  at: Date;
  startAt: Date;
  endAt: Date;
  booking?: BookingEntity;
}

export const BookingEventSchema = new EntitySchema<BookingEventEntity>({
  name: 'BookingEvent',
  tableName: 'booking_events',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    bookingId: uuid('booking_id'),
    roomId: uuid('room_id'),
    kind: text('kind'),
    at: timestamptz('at'),
    startAt: timestamptz('start_at'),
    endAt: timestamptz('end_at'),
  },
  checks: [
    {
      name: 'booking_events_kind_check',
      expression: `kind IN (${BOOKING_EVENT_KINDS.map((k) => `'${k}'`).join(', ')})`,
    },
  ],
  indices: [{ name: 'booking_events_booking_kind', columns: ['bookingId', 'kind'] }],
  relations: {
    booking: manyToOne('booking_events', 'booking_id', 'Booking', { onDelete: 'CASCADE' }),
  },
});

/** A row of `insights_mail_deliveries`: a weekly insights mail the SMTP server accepted (what makes a retried send skip it). */
export interface InsightsMailDeliveryEntity {
  messageId: string;
  recipient: string;
  weekEnding: Date;
  sentAt: Date;
}

export const InsightsMailDeliverySchema = new EntitySchema<InsightsMailDeliveryEntity>({
  name: 'InsightsMailDelivery',
  tableName: 'insights_mail_deliveries',
  columns: {
    messageId: { name: 'message_id', type: 'text', primary: true },
    recipient: { name: 'recipient', type: 'citext' },
    weekEnding: timestamptz('week_ending'),
    sentAt: timestamptzNow('sent_at'),
  },
});
