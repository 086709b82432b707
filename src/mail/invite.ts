import { bookingUid, renderCalendar, seriesUid, type IcsMethod } from '../domain/ics';
import type { BookingView } from '../shared/booking-messages';

export interface InviteRoom {
  name: string;
  building: string;
  floor: string;
  timezone: string;
}

/**
 * The booking as an iTIP message (RFC 5546): REQUEST adds or updates it in the reader's calendar,
 * CANCEL removes it. Same UID as the ICS feeds (for a series occurrence: the series' UID with RECURRENCE-ID), so a subscribed feed and a mailed invite are one
 * event; SEQUENCE is the booking's, which grows with every change attendees should see, so
 * calendar apps apply updates in order and ignore stale ones.
 */
export function bookingInvite(input: {
  method: Exclude<IcsMethod, 'PUBLISH'>;
  booking: BookingView;
  room: InviteRoom;
  organizer: { name: string; email: string };
  url: string;
  /** For an occurrence of a series: the start the rule gave it, which stays its RECURRENCE-ID after edits. */
  occurrenceStart?: Date;
  now?: Date;
}): string {
  const { booking, room } = input;
  // An occurrence is one instance of the series' event in the reader's calendar, not an event of its own.
  const occurrence =
    booking.seriesId && input.occurrenceStart
      ? { uid: seriesUid(booking.seriesId), recurrenceId: input.occurrenceStart }
      : undefined;
  return renderCalendar({
    name: booking.title,
    method: input.method,
    now: input.now,
    events: [
      {
        uid: occurrence?.uid ?? bookingUid(booking.id),
        ...(occurrence ? { recurrenceId: occurrence.recurrenceId } : {}),
        sequence: booking.sequence,
        // A CANCEL must say CANCELLED whatever the booking's own status (RFC 5546 3.2.5).
        status: input.method === 'CANCEL' ? 'cancelled' : booking.status,
        start: new Date(booking.start),
        end: new Date(booking.end),
        summary: booking.title,
        location: roomLocation(room),
        created: new Date(booking.createdAt),
        lastModified: new Date(booking.updatedAt),
        organizer: input.organizer,
        attendees: booking.attendees,
        url: input.url,
      },
    ],
  });
}

export const roomLocation = (room: InviteRoom): string => `${room.name}, ${room.building}, floor ${room.floor}`;
