import { createHash } from 'node:crypto';
import type { BookingEvent, BookingEventKind } from '../shared/booking-messages';
import { resolveAudience } from '../mail/audience';
import { bookingInvite, type InviteRoom } from '../mail/invite';
import { renderMessage, type Reader } from '../mail/messages';
import { preferenceFor } from '../mail/preferences';
import { signApprovalToken, signUnsubscribeToken } from '../mail/tokens';
import { occurrenceStartOf } from '../db/repositories/bookings';
import { isMessageDelivered, recordMailDelivery, tryLockMessage } from '../db/repositories/mail-deliveries';
import { findRoomPlace } from '../db/repositories/rooms';
import type { ActivityDeps } from './deps';

/** Kinds whose message carries the booking as an invite, and with which iTIP method. */
function inviteMethod(
  kind: BookingEventKind,
  reader: Reader,
  booking: BookingEvent['booking'],
): 'REQUEST' | 'CANCEL' | undefined {
  if (reader.role === 'approver') return undefined;
  if (reader.role === 'former') return 'CANCEL';
  switch (kind) {
    case 'confirmed':
    case 'approved':
      return 'REQUEST';
    case 'rescheduled':
      return booking.status === 'confirmed' || booking.status === 'checked_in' ? 'REQUEST' : undefined;
    case 'cancelled':
    case 'released':
      return 'CANCEL';
    default:
      return undefined;
  }
}

/**
 * Stable per workflow, kind, booking version and recipient: a retried activity builds the very
 * same Message-ID, which is what mail_deliveries and receiving servers deduplicate on.
 */
export function bookingMessageId(event: BookingEvent, email: string): string {
  const recipient = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 16);
  return `<${event.booking.workflowId.replace(/[^A-Za-z0-9.-]/g, '.')}.${event.kind}.v${event.booking.version}.${recipient}@roombook>`;
}

export function createMailActivities(deps: Pick<ActivityDeps, 'dataSource' | 'mailer' | 'config'>) {
  const { dataSource: db, mailer, config } = deps;
  const api = `${config.publicUrl.replace(/\/$/, '')}/api/v1`;

  return {
    /**
     * Sends one message per reader for a booking event, each in the reader's zone. Exactly once
     * per reader, as far as we can know: a Message-ID already in mail_deliveries is skipped, and a
     * row is written as soon as the server accepts one, so a retry after a partial failure sends
     * only what is missing. What remains: if the process dies (or the insert fails) after the
     * server said 250 and before the row is written, the retry sends that message again with the
     * same Message-ID, which most mailbox providers collapse into one.
     */
    async sendBookingMail(event: BookingEvent): Promise<{ sent: number; alreadySent: number; optedOut: number }> {
      const { booking, kind } = event;
      const room: InviteRoom = (await findRoomPlace(db, booking.roomId)) ?? {
        name: 'the room',
        building: '',
        floor: '',
        timezone: 'UTC',
      };
      const occurrenceStart = booking.seriesId ? await occurrenceStartOf(db, booking.id) : undefined;
      const audience = await resolveAudience(db, event, room.timezone);
      const preference = preferenceFor(kind);
      let sent = 0;
      let alreadySent = 0;

      let busy = 0;
      for (const reader of audience.readers) {
        const messageId = bookingMessageId(event, reader.email);
        const unsubscribe = preference
          ? {
              url: `${api}/mail/unsubscribe?token=${signUnsubscribeToken(config.jwtSecret, { email: reader.email, preference })}`,
              preference,
            }
          : undefined;
        const approval =
          reader.role === 'approver' && reader.userId
            ? `${api}/mail/approval?token=${signApprovalToken(config.jwtSecret, { userId: reader.userId, bookingId: booking.id })}`
            : undefined;
        const links = {
          booking: `${api}/bookings/${booking.id}`,
          ...(approval ? { approval } : {}),
          ...(unsubscribe ? { unsubscribe } : {}),
        };
        const message = renderMessage({ kind, booking, room, organizer: audience.organizer, reader, links });
        const method = inviteMethod(kind, reader, booking);

        // One sender per message at a time: a slot's workflow that closed with this message in
        // flight and the follow-up it handed the message to may both try; the second waits for the
        // first's record instead of sending again.
        const outcome = await db.transaction(async (tx) => {
          if (!(await tryLockMessage(tx, messageId))) return 'busy' as const;
          if (await isMessageDelivered(tx, messageId)) return 'done' as const;
          await mailer.sendMail({
            from: config.mailFrom,
            to: reader.name ? { name: reader.name, address: reader.email } : reader.email,
            subject: message.subject,
            messageId,
            text: message.text,
            html: message.html,
            // nodemailer adds it as a text/calendar; method=... alternative, which calendar clients act on.
            ...(method
              ? {
                  icalEvent: {
                    method,
                    filename: method === 'CANCEL' ? 'cancel.ics' : 'invite.ics',
                    content: bookingInvite({
                      method,
                      booking,
                      room,
                      organizer: audience.organizer,
                      url: links.booking,
                      occurrenceStart,
                    }),
                  },
                }
              : {}),
            headers: {
              'X-Roombook-Booking': booking.id,
              'X-Roombook-Kind': kind,
              'Auto-Submitted': 'auto-generated',
              ...(unsubscribe
                ? { 'List-Unsubscribe': `<${unsubscribe.url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
                : {}),
            },
          });
          await recordMailDelivery(tx, {
            messageId,
            bookingId: booking.id,
            kind,
            recipient: reader.email,
            inviteMethod: method ?? null,
          });
          return 'sent' as const;
        });
        if (outcome === 'sent') sent += 1;
        else if (outcome === 'done') alreadySent += 1;
        else busy += 1;
      }
      // Retried: by then the other sender has recorded (or given up on) those messages.
      if (busy > 0)
        throw new Error(`${busy} message(s) of this ${kind} event are being sent by another attempt; trying again.`);
      return { sent, alreadySent, optedOut: audience.optedOut };
    },
  };
}

export type MailActivities = ReturnType<typeof createMailActivities>;
