import { EntitySchema } from 'typeorm';
import { text, timestamptzNow, uuid, manyToOne } from './columns';
import type { BookingEntity } from './booking';

/** A row of `mail_deliveries`: a message the SMTP server accepted (a retried send skips it). */
export interface MailDeliveryEntity {
  messageId: string;
  bookingId: string;
  kind: string;
  recipient: string;
  inviteMethod: string | null;
  sentAt: Date;
  booking?: BookingEntity;
}

export const MailDeliverySchema = new EntitySchema<MailDeliveryEntity>({
  name: 'MailDelivery',
  tableName: 'mail_deliveries',
  columns: {
    messageId: { name: 'message_id', type: 'text', primary: true },
    bookingId: uuid('booking_id'),
    kind: text('kind'),
    recipient: { name: 'recipient', type: 'citext' },
    inviteMethod: text('invite_method', { nullable: true }),
    sentAt: timestamptzNow('sent_at'),
  },
  indices: [{ name: 'mail_deliveries_booking', columns: ['bookingId'] }],
  relations: {
    booking: manyToOne('mail_deliveries', 'booking_id', 'Booking', { onDelete: 'CASCADE' }),
  },
});

/** A row of `mail_opt_outs`: an unsubscribe by someone without an account. */
export interface MailOptOutEntity {
  email: string;
  preference: string;
  createdAt: Date;
}

export const MailOptOutSchema = new EntitySchema<MailOptOutEntity>({
  name: 'MailOptOut',
  tableName: 'mail_opt_outs',
  columns: {
    email: { type: 'citext', primary: true },
    preference: { type: 'text', primary: true },
    createdAt: timestamptzNow('created_at'),
  },
});
