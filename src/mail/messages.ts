import type { BookingEventKind, BookingView } from '../shared/booking-messages';
import { roomLocation, type InviteRoom } from './invite';
import { localInstant, localRange } from './local-time';
import { PREFERENCE_LABELS, type MailPreference } from './preferences';

/** Someone a message goes to, with what shapes it: their zone and why they hear about the booking. */
export interface Reader {
  email: string;
  name?: string;
  /** Set when the reader has an account. */
  userId?: string;
  /** Their profile zone; the room's zone for attendees without an account. */
  timezone: string;
  /** `former`: taken off the attendee list by a change, so told the meeting is off for them. */
  role: 'organizer' | 'attendee' | 'approver' | 'former';
}

export interface MessageInput {
  kind: BookingEventKind;
  booking: BookingView;
  room: InviteRoom;
  organizer: { name: string; email: string };
  reader: Reader;
  links: { booking: string; approval?: string; unsubscribe?: { url: string; preference: MailPreference } };
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** One message as content, rendered the same way to plain text and HTML. */
interface Content {
  subject: string;
  lead: string;
  facts: [label: string, value: string][];
  note?: string;
  actions: [label: string, url: string][];
}

export function renderMessage(input: MessageInput): RenderedMessage {
  const content = compose(input);
  return { subject: content.subject, text: toText(content, input), html: toHtml(content, input) };
}

function compose(input: MessageInput): Content {
  const { kind, booking, room, reader, organizer } = input;
  const tz = reader.timezone;
  const when = localRange(booking.start, booking.end, tz);
  const facts: Content['facts'] = [
    ['When', when],
    ['Room', roomLocation(room)],
    ['Organizer', `${organizer.name} <${organizer.email}>`],
  ];
  if (booking.attendees.length > 0) facts.push(['Attendees', booking.attendees.join(', ')]);
  const view: [string, string] = ['View the booking', input.links.booking];
  const yours = reader.role === 'organizer';
  const title = booking.title;

  if (reader.role === 'former') {
    return {
      subject: `Cancelled: ${title}`,
      lead: `${organizer.name} took you off this meeting in ${room.name}.`,
      facts,
      note: 'The attached cancellation removes it from your calendar.',
      actions: [],
    };
  }
  switch (kind) {
    case 'hold_created':
      return {
        subject: `Held: ${title}`,
        lead: `${room.name} is held for you. Confirm the booking before the hold runs out, or the room is released.`,
        facts: [...facts, ['Hold expires', booking.holdExpiresAt ? localInstant(booking.holdExpiresAt, tz) : 'soon']],
        actions: [view],
      };
    case 'pending_approval':
      if (reader.role === 'approver') {
        return {
          subject: `Approval needed: ${title}`,
          lead: `${organizer.name} asks to book ${room.name}, which needs a facility manager's approval.`,
          facts,
          note: 'If nobody decides before the approval times out, the request expires and the room stays free.',
          actions: input.links.approval ? [['Approve or reject', input.links.approval]] : [view],
        };
      }
      return {
        subject: `Waiting for approval: ${title}`,
        lead: `${room.name} needs a facility manager's approval. The slot is reserved for you meanwhile; you will hear when they decide.`,
        facts,
        actions: [view],
      };
    case 'confirmed':
      return {
        subject: `Confirmed: ${title}`,
        lead: yours
          ? `Your booking of ${room.name} is confirmed.`
          : `${organizer.name} booked ${room.name} and invites you.`,
        facts: withCheckIn(facts, booking, tz),
        note: 'The invite is attached: add it to your calendar.',
        actions: [view],
      };
    case 'approved':
      return {
        subject: `Approved: ${title}`,
        lead: yours
          ? `Your booking of ${room.name} was approved and is confirmed.`
          : `${organizer.name}'s booking of ${room.name} was approved; you are invited.`,
        facts: withCheckIn(facts, booking, tz),
        note: 'The invite is attached: add it to your calendar.',
        actions: [view],
      };
    case 'rejected':
      return {
        subject: `Not approved: ${title}`,
        lead: `Your request to book ${room.name} was not approved. The slot is free again.`,
        facts: [...facts, ['Reason', booking.statusReason ?? 'none given']],
        actions: [view],
      };
    case 'expired':
      return {
        subject: `Expired: ${title}`,
        lead:
          booking.statusReason === 'not approved in time'
            ? `Nobody approved your request for ${room.name} in time, so it expired and the room is free again.`
            : `Your hold on ${room.name} was not confirmed in time, so it expired and the room is free again.`,
        facts,
        actions: [view],
      };
    case 'cancelled':
      return {
        subject: `Cancelled: ${title}`,
        lead: yours
          ? `Your booking of ${room.name} is cancelled.`
          : `${organizer.name} cancelled this meeting in ${room.name}.`,
        facts: booking.statusReason ? [...facts, ['Reason', booking.statusReason]] : facts,
        note: 'The attached cancellation removes it from your calendar.',
        actions: [view],
      };
    case 'rescheduled': {
      const firm = booking.status === 'confirmed' || booking.status === 'checked_in';
      return {
        subject: `Changed: ${title}`,
        lead: yours
          ? `Your booking of ${room.name} changed. This is how it stands now.`
          : `${organizer.name} changed this meeting in ${room.name}. This is how it stands now.`,
        facts: withCheckIn(facts, booking, tz),
        ...(firm ? { note: 'The updated invite is attached: your calendar replaces the old one.' } : {}),
        actions: [view],
      };
    }
    case 'reminder':
      return {
        subject: `Starting soon: ${title}`,
        lead: `${title} in ${room.name} starts ${localInstant(booking.start, tz)}.`,
        facts: withCheckIn(facts, booking, tz),
        ...(booking.checkInDeadline
          ? {
              note: 'Check in at the room display or through the API before the deadline, or the room is released for others.',
            }
          : {}),
        actions: [view],
      };
    case 'released':
      return {
        subject: `Released: ${title}`,
        lead: `Nobody checked in to ${room.name} before the deadline, so the booking was released and the room is free for others.`,
        facts: booking.checkInDeadline
          ? [...facts, ['Check-in deadline was', localInstant(booking.checkInDeadline, tz)]]
          : facts,
        note: 'The attached cancellation removes it from your calendar.',
        actions: [view],
      };
    case 'review_prompt':
    case 'review_reminder':
      return {
        subject: kind === 'review_prompt' ? `How was ${room.name}?` : `Reminder: how was ${room.name}?`,
        lead: `You met in ${room.name} for ${title}. A rating and a line about the room help the next people choose, and the facility team fix what is broken.`,
        facts: [
          ['When', when],
          ['Room', roomLocation(room)],
        ],
        note: `Review it with POST /api/v1/bookings/${booking.id}/reviews ({"rating": 1-5, "comment": "..."}).`,
        actions: [view],
      };
    default:
      return {
        subject: `${title}: ${kind}`,
        lead: `${title} in ${room.name}: ${booking.status}.`,
        facts,
        actions: [view],
      };
  }
}

function withCheckIn(facts: Content['facts'], booking: BookingView, tz: string): Content['facts'] {
  return booking.checkInDeadline ? [...facts, ['Check in by', localInstant(booking.checkInDeadline, tz)]] : facts;
}

function toText(content: Content, input: MessageInput): string {
  const width = Math.max(...content.facts.map(([label]) => label.length)) + 1;
  const lines = [content.lead, '', ...content.facts.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`)];
  if (content.note) lines.push('', content.note);
  if (content.actions.length > 0) lines.push('', ...content.actions.map(([label, url]) => `${label}: ${url}`));
  const unsubscribe = input.links.unsubscribe;
  if (unsubscribe) {
    lines.push(
      '',
      '-- ',
      `You get this because ${PREFERENCE_LABELS[unsubscribe.preference]} are on.`,
      `Unsubscribe: ${unsubscribe.url}`,
    );
  }
  return lines.join('\n') + '\n';
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function toHtml(content: Content, input: MessageInput): string {
  const rows = content.facts
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const actions = content.actions
    .map(([label, url]) => `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>`)
    .join('');
  const unsubscribe = input.links.unsubscribe;
  const footer = unsubscribe
    ? `<hr><p style="color:#666;font-size:12px">You get this because ${escapeHtml(PREFERENCE_LABELS[unsubscribe.preference])} are on. <a href="${escapeHtml(unsubscribe.url)}">Unsubscribe</a></p>`
    : '';
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(content.lead)}</p>`,
    `<table>${rows}</table>`,
    content.note ? `<p>${escapeHtml(content.note)}</p>` : '',
    actions,
    footer,
    '</body></html>',
  ].join('');
}
