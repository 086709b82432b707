import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { DateTime } from 'luxon';
import { findIana } from 'windows-iana';
import type { InviteWorkflowInput } from '../shared/imip-messages';

/** What an iMIP message asks of a room, read from its text/calendar part (the type the invite workflow takes). */
export type Invite = InviteWorkflowInput['invite'];

/**
 * A message we cannot act on. `organizer` is set when the message named one, so the room can
 * answer why (all-day and floating times); without it nobody is answered.
 */
export class InviteRefusal extends Error {
  constructor(
    message: string,
    readonly invite?: Partial<Invite>,
  ) {
    super(message);
    this.name = 'InviteRefusal';
  }
}

const mailto = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
        .replace(/^mailto:/i, '')
        .trim()
        .toLowerCase() || undefined
    : undefined;

/** An IANA zone for a TZID as clients send it: IANA names, Windows names (Outlook), or a zone Luxon knows. */
export function ianaZone(tzid: string): string | undefined {
  if (DateTime.local().setZone(tzid).isValid) return tzid;
  const mapped = findIana(tzid);
  return mapped.find((zone) => DateTime.local().setZone(zone).isValid);
}

/** A DATE-TIME property as an instant; all-day dates and floating times (no zone) are refused with why. */
function instantOf(prop: ICAL.Property | null, what: string, partial: Partial<Invite>): { iso: string; zone: string } {
  if (!prop) throw new InviteRefusal(`The invitation has no ${what}.`, partial);
  const value = prop.getFirstValue();
  if (!(value instanceof ICAL.Time)) throw new InviteRefusal(`The ${what} is not a date-time.`, partial);
  if (value.isDate)
    throw new InviteRefusal('All-day events cannot book a room: give the meeting a start and an end time.', partial);
  const fields = {
    year: value.year,
    month: value.month,
    day: value.day,
    hour: value.hour,
    minute: value.minute,
    second: value.second,
  };
  if (value.zone === ICAL.Timezone.utcTimezone || value.toString().endsWith('Z')) {
    return { iso: DateTime.fromObject(fields, { zone: 'UTC' }).toUTC().toISO()!, zone: 'UTC' };
  }
  const tzid = prop.getParameter('tzid');
  if (typeof tzid !== 'string')
    throw new InviteRefusal(
      'Floating times (no time zone) cannot book a room: send the invitation with a zone.',
      partial,
    );
  const zone = ianaZone(tzid);
  if (!zone) throw new InviteRefusal(`Unknown time zone "${tzid}".`, partial);
  return { iso: DateTime.fromObject(fields, { zone }).toUTC().toISO()!, zone };
}

/** Every text/calendar body of a MIME message: the alternative part and attached .ics files alike. */
async function calendarTexts(raw: Buffer): Promise<string[]> {
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const texts = mail.attachments
    .filter((a) => a.contentType.toLowerCase() === 'text/calendar' || /\.ics$/i.test(a.filename ?? ''))
    .map((a) => a.content.toString('utf8'));
  if (texts.length === 0 && mail.text && /BEGIN:VCALENDAR/.test(mail.text)) texts.push(mail.text);
  return texts;
}

/**
 * Reads an iMIP message (RFC 6047): MIME with base64 or quoted-printable parts (mailparser), the
 * iCalendar object (ical.js). Throws InviteRefusal for what it cannot book.
 */
export async function parseInviteMessage(raw: Buffer): Promise<Invite> {
  const texts = await calendarTexts(raw);
  if (texts.length === 0) throw new InviteRefusal('The message has no text/calendar part.');
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(texts[0]) as unknown as unknown[]);
  } catch (err) {
    throw new InviteRefusal(`Malformed iCalendar: ${(err as Error).message}`);
  }
  const method = String(calendar.getFirstPropertyValue('method') ?? '').toUpperCase();
  // The main event: the one without RECURRENCE-ID (single-occurrence exceptions are not booked apart).
  const events = calendar.getAllSubcomponents('vevent');
  const vevent = events.find((e) => !e.hasProperty('recurrence-id')) ?? events[0];
  if (!vevent) throw new InviteRefusal('The iCalendar object has no VEVENT.');
  const uid = vevent.getFirstPropertyValue('uid');
  const organizer = mailto(vevent.getFirstPropertyValue('organizer'));
  if (typeof uid !== 'string' || !uid || !organizer) throw new InviteRefusal('The VEVENT lacks a UID or an ORGANIZER.');
  const sequence = Number(vevent.getFirstPropertyValue('sequence') ?? 0);
  const partial: Partial<Invite> = { uid, organizer, sequence: Number.isFinite(sequence) ? sequence : 0 };
  if (method !== 'REQUEST' && method !== 'CANCEL')
    throw new InviteRefusal(`METHOD ${method || '(none)'} is not an invitation or a cancellation.`, partial);
  if (method === 'CANCEL') {
    return {
      method,
      uid,
      sequence: partial.sequence!,
      organizer,
      title: '',
      start: '',
      end: '',
      timezone: 'UTC',
      exdates: [],
    };
  }
  const start = instantOf(vevent.getFirstProperty('dtstart'), 'DTSTART', partial);
  let end: string;
  const duration = vevent.getFirstPropertyValue('duration');
  if (vevent.hasProperty('dtend')) end = instantOf(vevent.getFirstProperty('dtend'), 'DTEND', partial).iso;
  else if (duration instanceof ICAL.Duration)
    end = new Date(Date.parse(start.iso) + duration.toSeconds() * 1000).toISOString();
  else throw new InviteRefusal('The VEVENT has neither DTEND nor DURATION.', partial);
  const rrule = vevent.getFirstPropertyValue('rrule');
  const exdates = vevent
    .getAllProperties('exdate')
    .flatMap((prop) => prop.getValues().map((_v, i) => ({ prop, i })))
    .map(({ prop, i }) => {
      const single = new ICAL.Property(prop.name);
      const tzid = prop.getParameter('tzid');
      if (typeof tzid === 'string') single.setParameter('tzid', tzid);
      single.setValue(prop.getValues()[i] as ICAL.Time);
      return instantOf(single, 'EXDATE', partial).iso;
    });
  const summary = vevent.getFirstPropertyValue('summary');
  return {
    method,
    uid,
    sequence: partial.sequence!,
    organizer,
    title: typeof summary === 'string' && summary.trim() ? summary.trim().slice(0, 200) : 'Meeting',
    start: start.iso,
    end,
    timezone: start.zone,
    ...(rrule instanceof ICAL.Recur ? { rrule: rrule.toString() } : {}),
    exdates,
  };
}
