import { InviteRefusal, ianaZone, parseInviteMessage } from '../../src/imip/invite-parser';

const message = (calendar: string) =>
  Buffer.from(
    [
      'From: a@example.test',
      'To: room-1@rooms.roombook.local',
      'Subject: x',
      'MIME-Version: 1.0',
      'Content-Type: text/calendar; charset=UTF-8; method=REQUEST',
      '',
      calendar.trim().replace(/\n\s*/g, '\r\n'),
      '',
    ].join('\r\n'),
  );

const event = (lines: string) => `BEGIN:VCALENDAR
  VERSION:2.0
  METHOD:REQUEST
  BEGIN:VEVENT
  UID:u-1@example.test
  SEQUENCE:2
  ORGANIZER:mailto:A@Example.test
  SUMMARY:Planning
  ${lines}
  END:VEVENT
  END:VCALENDAR`;

describe('iMIP invite parser', () => {
  test('when TZID is a Windows zone name, then the time is read in the IANA zone it maps to', async () => {
    const invite = await parseInviteMessage(
      message(
        event(
          'DTSTART;TZID=W. Europe Standard Time:20261210T090000\nDTEND;TZID=W. Europe Standard Time:20261210T100000',
        ),
      ),
    );
    expect(invite).toMatchObject({
      method: 'REQUEST',
      uid: 'u-1@example.test',
      sequence: 2,
      organizer: 'a@example.test',
      start: '2026-12-10T08:00:00.000Z',
      end: '2026-12-10T09:00:00.000Z',
      timezone: 'Europe/Berlin',
    });
    expect(ianaZone('Eastern Standard Time')).toBe('America/New_York');
    expect(ianaZone('No Such Zone')).toBeUndefined();
  });

  test('when DURATION is given instead of DTEND, then the end follows from it; RRULE and EXDATE are kept', async () => {
    const invite = await parseInviteMessage(
      message(event('DTSTART:20261210T090000Z\nDURATION:PT45M\nRRULE:FREQ=WEEKLY;COUNT=3\nEXDATE:20261217T090000Z')),
    );
    expect(invite).toMatchObject({
      end: '2026-12-10T09:45:00.000Z',
      rrule: 'FREQ=WEEKLY;COUNT=3',
      exdates: ['2026-12-17T09:00:00.000Z'],
    });
  });

  test('when the event is all-day, then it is refused with the reason and the organizer to tell', async () => {
    const refused = parseInviteMessage(message(event('DTSTART;VALUE=DATE:20261210\nDTEND;VALUE=DATE:20261211')));
    await expect(refused).rejects.toBeInstanceOf(InviteRefusal);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringMatching(/All-day/),
      invite: { uid: 'u-1@example.test', organizer: 'a@example.test' },
    });
  });

  test('when the time is floating (no zone), then it is refused with the reason', async () => {
    await expect(
      parseInviteMessage(message(event('DTSTART:20261210T090000\nDTEND:20261210T100000'))),
    ).rejects.toMatchObject({ message: expect.stringMatching(/Floating/) });
  });

  test('when there is no calendar part, then it is refused without anyone to answer', async () => {
    const plain = Buffer.from('From: a@example.test\r\nSubject: hi\r\n\r\nhello\r\n');
    await expect(parseInviteMessage(plain)).rejects.toMatchObject({ invite: undefined });
  });
});
