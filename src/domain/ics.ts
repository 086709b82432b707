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
export function icsStatus(status: BookingStatus): 'TENTATIVE' | 'CONFIRMED' | 'CANCELLED' {
  switch (status) {
    case 'held':
    case 'pending_approval':
      return 'TENTATIVE';
    case 'confirmed':
    case 'checked_in':
    case 'completed':
      return 'CONFIRMED';
    case 'cancelled':
    case 'released':
    case 'expired':
    case 'rejected':
      return 'CANCELLED';
  }
}

/** The stable UID of a booking in every feed: calendar apps match updates and cancellations on it. */
export const bookingUid = (bookingId: string): string => `${bookingId}@roombook`;

/** The UID a recurring series' occurrences share in mailed invites; RECURRENCE-ID tells them apart. */
export const seriesUid = (seriesId: string): string => `series-${seriesId}@roombook`;

/** RFC 5545 3.3.5 form 2: UTC date-time, e.g. 20261201T090000Z. */
const utc = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values. */
export const escapeText = (s: string): string =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');

/** A parameter value (e.g. CN): quoted when it holds :;, (DQUOTE itself is not allowed, so dropped). */
const paramValue = (s: string): string => {
  const clean = s.replace(/["\r\n]/g, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
};

/**
 * RFC 5545 3.1: lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8
 * sequence; the leading space of a continuation counts towards its 75.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/**
 * PUBLISH for feeds; REQUEST and CANCEL (RFC 5546 iTIP) for invites sent by mail, which carry no
 * feed properties (name, refresh interval).
 */
export type IcsMethod = 'PUBLISH' | 'REQUEST' | 'CANCEL';

export function renderCalendar(calendar: {
  name: string;
  timezone?: string;
  events: IcsEvent[];
  now?: Date;
  method?: IcsMethod;
}): string {
  const now = calendar.now ?? new Date();
  const method = calendar.method ?? 'PUBLISH';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Roombook//Roombook API 1//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${method}`,
  ];
  if (method === 'PUBLISH') {
    lines.push(
      // VALUE=TEXT: an X- property's type is otherwise unknown to parsers, which then keep the escapes.
      `X-WR-CALNAME;VALUE=TEXT:${escapeText(calendar.name)}`,
      ...(calendar.timezone ? [`X-WR-TIMEZONE:${calendar.timezone}`] : []),
      // Subscribed calendars poll: every 15 minutes keeps them close without hammering the API.
      'REFRESH-INTERVAL;VALUE=DURATION:PT15M',
      'X-PUBLISHED-TTL:PT15M',
    );
  }
  for (const e of calendar.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      ...(e.recurrenceId ? [`RECURRENCE-ID:${utc(e.recurrenceId)}`] : []),
      `DTSTAMP:${utc(now)}`,
      `CREATED:${utc(e.created)}`,
      `LAST-MODIFIED:${utc(e.lastModified)}`,
      `SEQUENCE:${e.sequence}`,
      `DTSTART:${utc(e.start)}`,
      `DTEND:${utc(e.end)}`,
      `SUMMARY:${escapeText(e.summary)}`,
      `LOCATION:${escapeText(e.location)}`,
      `STATUS:${icsStatus(e.status)}`,
      // Held or pending rooms are not yet firm: show the time as tentative, cancelled as free.
      `TRANSP:${icsStatus(e.status) === 'CANCELLED' ? 'TRANSPARENT' : 'OPAQUE'}`,
      `X-ROOMBOOK-STATUS:${e.status}`,
    );
    if (e.organizer) lines.push(`ORGANIZER;CN=${paramValue(e.organizer.name)}:mailto:${e.organizer.email}`);
    for (const attendee of e.attendees ?? []) lines.push(`ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:${attendee}`);
    if (e.url) lines.push(`URL:${e.url}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
