import ical, { ICalAttendeeStatus, ICalAttendeeType, ICalCalendarMethod } from 'ical-generator';

export type ReplyStatus = 'ACCEPTED' | 'DECLINED';

export interface RoomReply {
  uid: string;
  sequence: number;
  organizer: string;
  room: { name: string; mailbox: string };
  status: ReplyStatus;
  comment: string;
  /** The invite's times when it had readable ones (a refused all-day invite has none). */
  start?: string;
  end?: string;
  title?: string;
}

/** RFC 5545 3.3.11 TEXT escaping, then 3.1 folding at 75 octets. */
function contentLine(name: string, text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
  const line = `${name}:${escaped}`;
  const parts: string[] = [];
  let rest = Buffer.from(line, 'utf8');
  let limit = 75;
  while (rest.length > limit) {
    let cut = limit;
    // Never split a UTF-8 sequence: back up to a lead byte.
    while (cut > 0 && (rest[cut] & 0xc0) === 0x80) cut -= 1;
    parts.push(rest.subarray(0, cut).toString('utf8'));
    rest = rest.subarray(cut);
    limit = 74;
  }
  parts.push(rest.toString('utf8'));
  return parts.join('\r\n ');
}

/**
 * The room's answer to an invite (RFC 5546 3.2.3, METHOD:REPLY): the room as the one ATTENDEE
 * with its PARTSTAT, and a COMMENT giving the reason. ical-generator writes the calendar (as the
 * booking invites are written); COMMENT is not among its event properties, so it goes in as a
 * content line of its own.
 */
export function renderRoomReply(reply: RoomReply, now = new Date()): string {
  const start = reply.start ? new Date(reply.start) : now;
  const cal = ical({
    prodId: { company: 'Roombook', product: 'Roombook API 1', language: 'EN' },
    method: ICalCalendarMethod.REPLY,
    events: [
      {
        id: reply.uid,
        sequence: reply.sequence,
        stamp: now,
        start,
        end: reply.end ? new Date(reply.end) : start,
        summary: reply.title ?? '',
        organizer: { name: reply.organizer, email: reply.organizer },
        attendees: [
          {
            email: reply.room.mailbox,
            name: reply.room.name,
            status: reply.status === 'ACCEPTED' ? ICalAttendeeStatus.ACCEPTED : ICalAttendeeStatus.DECLINED,
            type: ICalAttendeeType.ROOM,
          },
        ],
      },
    ],
  });
  const text = cal
    .toString()
    .replace('BEGIN:VEVENT\r\n', `BEGIN:VEVENT\r\n${contentLine('COMMENT', reply.comment)}\r\n`);
  return `${text}\r\n`;
}
