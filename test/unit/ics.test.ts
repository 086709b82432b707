import fc from 'fast-check';
import ICAL from 'ical.js';
import { bookingInvite } from '../../src/mail/invite';
import { bookingUid, renderCalendar, seriesUid, type IcsEvent } from '../../src/domain/ics';
import type { BookingView } from '../../src/shared/booking-messages';
import { eventFields, parseCalendar } from '../support/ical';

const NOW = new Date('2026-12-01T08:15:30Z');

const event = (overrides: Partial<IcsEvent> = {}): IcsEvent => ({
  uid: bookingUid('b-1'),
  sequence: 2,
  status: 'confirmed',
  start: new Date('2026-12-03T09:00:00Z'),
  end: new Date('2026-12-03T10:30:00Z'),
  summary: 'Planning',
  location: 'Fjord, HQ, floor 3',
  created: new Date('2026-11-30T10:00:00Z'),
  lastModified: new Date('2026-11-30T11:00:00Z'),
  ...overrides,
});

/** The text as a real iCalendar parser (ical.js) reads it: a malformed calendar throws here. */
function parse(text: string) {
  const calendar = parseCalendar(text);
  const vevents = calendar.getAllSubcomponents('vevent');
  return {
    calendar,
    events: vevents.map((vevent) => {
      const e = new ICAL.Event(vevent);
      return {
        ...eventFields(vevent),
        transp: String(vevent.getFirstPropertyValue('transp')),
        startZone: e.startDate.zone.tzid,
        stamp: (vevent.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString(),
        recurrenceId: e.recurrenceId ? e.recurrenceId.toJSDate().toISOString() : null,
        location: e.location,
        organizer: vevent.getFirstPropertyValue('organizer') as string | null,
        organizerName: vevent.getFirstProperty('organizer')?.getParameter('cn') ?? null,
        attendees: vevent.getAllProperties('attendee').map((p) => String(p.getFirstValue())),
        roombookStatus: String(vevent.getFirstPropertyValue('x-roombook-status')),
      };
    }),
  };
}

/** RFC 5545 3.1: CRLF after every line, none longer than 75 octets, none split inside a character. */
function expectWellFolded(text: string) {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of text.slice(0, -2).split('\r\n')) {
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    // Half of a surrogate pair has no UTF-8 form: it would not survive the round trip.
    expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
  }
}

/** TEXT allows tabs and line breaks (written as \n) but no other control characters (RFC 5545 3.3.11). */
const hasNoControlCharacters = (s: string) =>
  [...s].every((c) => c === '\t' || c === '\n' || c === '\r' || (c >= ' ' && c !== '\x7f'));

describe('iCalendar output', () => {
  test('when a feed is rendered, then it is a PUBLISH calendar with its name, zone and refresh interval, and each event in UTC', () => {
    const text = renderCalendar({
      name: 'Fjord; North, (HQ)',
      timezone: 'Europe/Berlin',
      now: NOW,
      events: [event(), event({ uid: bookingUid('b-2'), status: 'held', sequence: 0 })],
    });
    expectWellFolded(text);
    const { calendar, events } = parse(text);
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Fjord; North, (HQ)');
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/Berlin');
    expect(String(calendar.getFirstPropertyValue('refresh-interval'))).toBe('PT15M');
    expect(events).toEqual([
      expect.objectContaining({
        uid: 'b-1@roombook',
        sequence: 2,
        status: 'CONFIRMED',
        transp: 'OPAQUE',
        start: '2026-12-03T09:00:00.000Z',
        end: '2026-12-03T10:30:00.000Z',
        startZone: 'UTC',
        stamp: NOW.toISOString(),
        recurrenceId: null,
        location: 'Fjord, HQ, floor 3',
        organizer: null,
        attendees: [],
        roombookStatus: 'confirmed',
      }),
      expect.objectContaining({ uid: 'b-2@roombook', sequence: 0, status: 'TENTATIVE', roombookStatus: 'held' }),
    ]);
    expect(text).toContain('\r\nDTSTART:20261203T090000Z\r\n');
  });

  test.each([
    ['held', 'TENTATIVE', 'OPAQUE'],
    ['pending_approval', 'TENTATIVE', 'OPAQUE'],
    ['confirmed', 'CONFIRMED', 'OPAQUE'],
    ['checked_in', 'CONFIRMED', 'OPAQUE'],
    ['completed', 'CONFIRMED', 'OPAQUE'],
    ['cancelled', 'CANCELLED', 'TRANSPARENT'],
    ['released', 'CANCELLED', 'TRANSPARENT'],
    ['expired', 'CANCELLED', 'TRANSPARENT'],
    ['rejected', 'CANCELLED', 'TRANSPARENT'],
  ] as const)('when a booking is %s, then its event says STATUS:%s and TRANSP:%s', (status, ics, transp) => {
    const [parsed] = parse(renderCalendar({ name: 'R', now: NOW, events: [event({ status })] })).events;
    expect(parsed).toMatchObject({ status: ics, transp, roombookStatus: status });
  });

  test('when an invite is rendered, then it carries the iTIP method, organizer and attendees and no feed properties', () => {
    const text = renderCalendar({
      name: 'ignored',
      method: 'REQUEST',
      now: NOW,
      events: [
        event({
          organizer: { name: 'Ann "The Boss", Ops; Team', email: 'ann@example.test' },
          attendees: ['bo@example.test', 'cy@example.test'],
          url: 'https://roombook.example/api/v1/bookings/b-1',
        }),
      ],
    });
    expectWellFolded(text);
    const { calendar, events } = parse(text);
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    for (const feedOnly of ['x-wr-calname', 'x-wr-timezone', 'refresh-interval', 'x-published-ttl']) {
      expect(calendar.getFirstProperty(feedOnly)).toBeNull();
    }
    expect(events[0]).toMatchObject({
      organizer: 'mailto:ann@example.test',
      // A DQUOTE cannot appear in a parameter value (RFC 5545 3.2): it is dropped, the rest kept.
      organizerName: 'Ann The Boss, Ops; Team',
    });
    expect(events[0].attendees.map((a) => a.replace(/^mailto:/i, 'mailto:'))).toEqual([
      'mailto:bo@example.test',
      'mailto:cy@example.test',
    ]);
    expect(text).toMatch(/\r\nATTENDEE;ROLE=REQ-PARTICIPANT:mailto:bo@example\.test\r\n/i);
  });

  test('when an occurrence of a series is mailed, then it has the series UID, the RECURRENCE-ID of its original start, and CANCEL says CANCELLED', () => {
    const booking = {
      id: 'b-9',
      seriesId: 's-1',
      title: 'Standup',
      status: 'confirmed',
      sequence: 4,
      start: '2026-12-04T09:30:00.000Z',
      end: '2026-12-04T10:00:00.000Z',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-02T00:00:00.000Z',
      attendees: ['bo@example.test'],
    } as BookingView;
    const text = bookingInvite({
      method: 'CANCEL',
      booking,
      room: { name: 'Fjord', building: 'HQ', floor: '3', timezone: 'Europe/Berlin' },
      organizer: { name: 'Ann', email: 'ann@example.test' },
      url: 'https://roombook.example/api/v1/bookings/b-9',
      occurrenceStart: new Date('2026-12-04T09:00:00Z'),
      now: NOW,
    });
    expectWellFolded(text);
    const { calendar, events } = parse(text);
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(events).toEqual([
      expect.objectContaining({
        uid: seriesUid('s-1'),
        recurrenceId: '2026-12-04T09:00:00.000Z',
        start: '2026-12-04T09:30:00.000Z',
        sequence: 4,
        status: 'CANCELLED',
        location: 'Fjord, HQ, floor 3',
      }),
    ]);
    expect(text).toContain('\r\nRECURRENCE-ID:20261204T090000Z\r\n');
  });

  test('when any title and location are rendered, then lines stay within 75 octets and a parser reads the text back unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }).filter(hasNoControlCharacters),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }),
        (summary, location) => {
          const text = renderCalendar({ name: summary, now: NOW, events: [event({ summary, location })] });
          expectWellFolded(text);
          const { calendar, events } = parse(text);
          // Every line break is written as \n (RFC 5545 3.3.11), so CR and CRLF come back as LF.
          const sent = (s: string) => s.replace(/\r\n?/g, '\n');
          expect(events[0].summary).toBe(sent(summary));
          expect(events[0].location).toBe(sent(location));
          expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe(sent(summary));
        },
      ),
    );
  });
});
