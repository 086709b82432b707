import { createHash } from 'node:crypto';
import type { ActivityDeps } from './deps';
import { BookingService } from '../api/services/booking-service';
import { SeriesService } from '../api/services/series-service';
import {
  findInviteBooking,
  findRoomMailbox,
  isRoomReplySent,
  markInviteBookings,
  recordRoomReply,
} from '../db/repositories/imip';
import { tryLockMessage } from '../db/repositories/mail-deliveries';
import { findUserByEmail } from '../db/repositories/users';
import { AppError } from '../domain/errors';
import type { Principal } from '../domain/principal';
import { roomMailbox } from '../domain/room-mailbox';
import { renderRoomReply } from '../imip/reply';
import { inviteWorkflowId, type InviteOutcome, type InviteWorkflowInput } from '../shared/imip-messages';

/**
 * Stable per room, method, SEQUENCE, UID and recipient: a retried reply builds the same Message-ID,
 * which imip_replies (and receiving servers) deduplicate on.
 */
export function roomReplyMessageId(input: Pick<InviteWorkflowInput, 'roomId' | 'invite'>, domain: string): string {
  const key = `${inviteWorkflowId(input)}:${input.invite.organizer.toLowerCase()}`;
  return `<reply.${createHash('sha256').update(key).digest('hex')}@${domain}>`;
}

const declined = (comment: string): InviteOutcome => ({ result: 'declined', reply: { status: 'DECLINED', comment } });

/** The reason a booking service refused, as the room's COMMENT. */
function refusalComment(err: unknown): string {
  if (err instanceof AppError) return err.message;
  throw err;
}

/**
 * Room mailboxes: an invite drives the same booking services the API calls (policy, caps,
 * conflicts, moves, cancellation), as the organizer. Every step is safe to retry: the create
 * uses an Idempotency-Key made of the room, UID and SEQUENCE.
 */
export function createImipActivities(deps: Pick<ActivityDeps, 'config' | 'dataSource' | 'temporal' | 'mailer'>) {
  const bookings = new BookingService(deps);
  const series = new SeriesService(deps, bookings);

  async function book(principal: Principal & { kind: 'user' }, input: InviteWorkflowInput): Promise<InviteOutcome> {
    const { invite, roomId } = input;
    if (invite.rrule) {
      const opened = await series.create(
        principal,
        {
          roomId,
          start: invite.start,
          end: invite.end,
          timezone: invite.timezone,
          rrule: invite.rrule,
          exdates: invite.exdates,
          title: invite.title,
          onConflict: 'fail',
          maxConsecutiveReleases: 3,
        },
        undefined,
        { source: 'imip', icalUid: invite.uid },
      );
      await markInviteBookings(deps.dataSource, { seriesId: opened.id }, invite.uid, invite.sequence);
      return {
        result: 'booked',
        seriesId: opened.id,
        reply: { status: 'ACCEPTED', comment: `Booked: ${opened.occurrences.length} occurrences.` },
      };
    }
    const { booking } = await bookings.create(
      principal,
      { roomId, start: invite.start, end: invite.end, title: invite.title },
      `imip:${roomId}:${invite.sequence}:${invite.uid}`.slice(0, 200),
      { source: 'imip', icalUid: invite.uid },
    );
    await markInviteBookings(deps.dataSource, { bookingId: booking.id }, invite.uid, invite.sequence);
    const comment = booking.status === 'pending_approval' ? 'Booked, waiting for approval.' : 'Booked.';
    return { result: 'booked', bookingId: booking.id, reply: { status: 'ACCEPTED', comment } };
  }

  return {
    async applyRoomInvite(input: InviteWorkflowInput): Promise<InviteOutcome> {
      const { invite, roomId } = input;
      const user = await findUserByEmail(deps.dataSource, invite.organizer);
      // No backscatter: mail from anyone who is not a user gets no answer at all.
      if (!user || user.role === 'display') return { result: 'ignored' };
      if (!user.email_verified)
        return declined(
          'Your address is not verified: verify your address in Roombook, then send the invitation again.',
        );
      if (input.refusal) return declined(input.refusal);
      const principal = { kind: 'user' as const, userId: user.id, role: user.role };
      const existing = await findInviteBooking(deps.dataSource, roomId, invite.uid);
      try {
        if (invite.method === 'CANCEL') {
          if (!existing) return { result: 'ignored' };
          if (existing.series_id) await series.cancel(principal, existing.series_id, { scope: 'all' });
          else if (['held', 'pending_approval', 'confirmed'].includes(existing.status))
            await bookings.act(principal, existing.id, 'cancel', { reason: 'cancelled by the organizer (iMIP)' });
          return { result: 'cancelled', bookingId: existing.id };
        }
        if (!existing) return await book(principal, input);
        // An older or repeated SEQUENCE changes nothing (RFC 5546 2.1.5).
        if (existing.ical_sequence !== null && invite.sequence <= existing.ical_sequence) return { result: 'ignored' };
        if (existing.series_id)
          return declined(
            'Changing a recurring meeting by mail is not supported: cancel it and invite the room again.',
          );
        try {
          const moved = await bookings.change(principal, existing.id, {
            start: invite.start,
            end: invite.end,
            title: invite.title,
          });
          return { result: 'moved', bookingId: moved.id, reply: { status: 'ACCEPTED', comment: 'Moved.' } };
        } finally {
          // The organizer's calendar holds this SEQUENCE now, whatever the room answered.
          await markInviteBookings(deps.dataSource, { bookingId: existing.id }, invite.uid, invite.sequence);
        }
      } catch (err) {
        return declined(refusalComment(err));
      }
    },

    /**
     * The room's METHOD:REPLY to the organizer, from the room's mailbox, once per room, method,
     * SEQUENCE, UID and recipient: the Message-ID's advisory lock and its row in imip_replies,
     * written in the transaction that sends it, so an attempt retried after the row committed
     * (a worker that died before reporting the activity done) sends nothing.
     */
    async sendRoomReply({
      input,
      reply,
    }: {
      input: InviteWorkflowInput;
      reply: NonNullable<InviteOutcome['reply']>;
    }): Promise<{ sent: boolean }> {
      const room = await findRoomMailbox(deps.dataSource, input.roomId);
      if (!room) return { sent: false };
      const mailbox = roomMailbox(room.slug, deps.config.roomMail.domain);
      const { invite } = input;
      const messageId = roomReplyMessageId(input, deps.config.roomMail.domain);
      const outcome = await deps.dataSource.transaction(async (tx) => {
        if (!(await tryLockMessage(tx, messageId))) return 'busy' as const;
        if (await isRoomReplySent(tx, messageId)) return 'done' as const;
        const calendar = renderRoomReply({
          uid: invite.uid,
          sequence: invite.sequence,
          organizer: invite.organizer,
          room: { name: room.name, mailbox },
          status: reply.status,
          comment: reply.comment,
          ...(invite.start ? { start: invite.start, end: invite.end, title: invite.title } : {}),
        });
        const verb = reply.status === 'ACCEPTED' ? 'Accepted' : 'Declined';
        await deps.mailer.sendMail({
          from: { name: room.name, address: mailbox },
          to: invite.organizer,
          messageId,
          subject: `${verb}: ${invite.title || 'your invitation'}`,
          text: `${room.name} ${verb.toLowerCase()} your invitation. ${reply.comment}`,
          icalEvent: { method: 'REPLY', content: calendar },
        });
        await recordRoomReply(tx, {
          messageId,
          roomId: input.roomId,
          icalUid: invite.uid,
          sequence: invite.sequence,
          recipient: invite.organizer,
          partstat: reply.status,
        });
        return 'sent' as const;
      });
      // Retried: by then the other attempt has recorded the reply (or given up on it).
      if (outcome === 'busy') throw new Error(`The reply ${messageId} is being sent by another attempt; trying again.`);
      return { sent: outcome === 'sent' };
    },
  };
}

export type ImipActivities = ReturnType<typeof createImipActivities>;
