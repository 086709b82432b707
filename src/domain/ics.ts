import ical, {
  ICalAttendeeRole,
  ICalCalendarMethod,
  ICalEventStatus,
  ICalEventTransparency,
  type ICalEventData,
} from 'ical-generator';
import type { BookingStatus } from '../shared/booking';

/** An RFC 5545 VEVENT as a booking appears in a feed. Times are rendered in UTC (the Z form). */
export interface IcsEvent {
  uid: string;
  sequence: number;
  status: BookingStatus;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  created: Date;
  lastModified: Date;
  organizer?: { name: string; email: string };
  attendees?: string[];
  url?: string;
  /** An occurrence of a recurring series: its original start (RFC 5545 3.8.4.4), under the series' UID. */
  recurrenceId?: Date;
}

/** What a calendar app shows for each booking state. */
export function icsStatus(status: BookingStatus): ICalEventStatus {
  switch (status) {
    case 'held':
    case 'pending_approval':
      return ICalEventStatus.TENTATIVE;
    case 'confirmed':
    case 'checked_in':
    case 'completed':
      return ICalEventStatus.CONFIRMED;
    case 'cancelled':
    case 'released':
    case 'expired':
    case 'rejected':
      return ICalEventStatus.CANCELLED;
  }
}

/** The stable UID of a booking in every feed: calendar apps match updates and cancellations on it. */
export const bookingUid = (bookingId: string): string => `${bookingId}@roombook`;

/** The UID a recurring series' occurrences share in mailed invites; RECURRENCE-ID tells them apart. */
export const seriesUid = (seriesId: string): string => `series-${seriesId}@roombook`;

/**
 * PUBLISH for feeds; REQUEST and CANCEL (RFC 5546 iTIP) for invites sent by mail, which carry no
 * feed properties (name, refresh interval).
 */
export type IcsMethod = 'PUBLISH' | 'REQUEST' | 'CANCEL';

/** Subscribed calendars poll: every 15 minutes keeps them close without hammering the API. */
const FEED_REFRESH_SECONDS = 15 * 60;

/**
 * A CN parameter value: ical-generator quotes it but escapes a DQUOTE with a backslash, which
 * RFC 5545 3.2 does not allow inside a quoted value, so quotes and line breaks are dropped first.
 */
const commonName = (name: string, email: string): string => name.replace(/["\r\n]/g, '').trim() || email;

function toEventData(e: IcsEvent, now: Date): ICalEventData {
  const status = icsStatus(e.status);
  return {
    id: e.uid,
    sequence: e.sequence,
    stamp: now,
    created: e.created,
    lastModified: e.lastModified,
    start: e.start,
    end: e.end,
    recurrenceId: e.recurrenceId ?? null,
    summary: e.summary,
    location: e.location,
    status,
    // Held or pending rooms are not yet firm: show the time as tentative, cancelled as free.
    transparency:
      status === ICalEventStatus.CANCELLED ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
    organizer: e.organizer ? { name: commonName(e.organizer.name, e.organizer.email), email: e.organizer.email } : null,
    attendees: (e.attendees ?? []).map((email) => ({ email, role: ICalAttendeeRole.REQ })),
    url: e.url ?? null,
    x: [['X-ROOMBOOK-STATUS', e.status]],
  };
}

/**
 * The calendar as RFC 5545 text, written by ical-generator (escaping, 75-octet folding that never
 * splits a UTF-8 sequence, UTC date-times since no event names a zone).
 */
export function renderCalendar(calendar: {
  name: string;
  timezone?: string;
  events: IcsEvent[];
  now?: Date;
  method?: IcsMethod;
}): string {
  const now = calendar.now ?? new Date();
  const method = calendar.method ?? 'PUBLISH';
  const feed = method === 'PUBLISH';
  const cal = ical({
    prodId: { company: 'Roombook', product: 'Roombook API 1', language: 'EN' },
    scale: 'GREGORIAN',
    method: ICalCalendarMethod[method],
    ...(feed ? { ttl: FEED_REFRESH_SECONDS } : {}),
    events: calendar.events.map((e) => toEventData(e, now)),
  });
  if (feed) {
    // Not ical-generator's name(): it writes this TEXT value unescaped. As an X- property the value
    // is escaped, and VALUE=TEXT tells parsers to unescape it (an X- property's type is otherwise
    // unknown to them, and they keep the backslashes).
    cal.x('X-WR-CALNAME;VALUE=TEXT', calendar.name);
    // Not ical-generator's timezone(): that would write every time as a floating local time.
    if (calendar.timezone) cal.x('X-WR-TIMEZONE', calendar.timezone);
  }
  // RFC 5545 3.1: every content line ends with CRLF, the last one too.
  return `${cal.toString()}\r\n`;
}
