import ICAL from 'ical.js';
import { createUser, type TestUser } from '../support/fixtures';
import { eventFields, parseCalendar } from '../support/ical';
import type { TestStack } from '../support/stack';
import { getJson, insertBooking, postRoom, roomSuite, send } from './support';

/** Parses a feed with the real iCalendar parser (ical.js): a malformed feed fails here. */
function parseFeed(text: string) {
  const calendar = parseCalendar(text);
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => ({
    ...eventFields(vevent),
    location: new ICAL.Event(vevent).location,
    organizer: vevent.getFirstPropertyValue('organizer') as string | null,
  }));
  return { name: String(calendar.getFirstPropertyValue('x-wr-calname')), events };
}

const Z = (s: string) => new Date(s).toISOString();

describe('calendars and feeds', () => {
  let stack: TestStack;
  let manager: TestUser;
  let member: TestUser;
  roomSuite((suite) => ({ stack, manager, member } = suite), { displayName: 'Mia Member' });

  const soon = (days: number, hour: number) => {
    const d = new Date(Date.now() + days * 86_400_000);
    d.setUTCHours(hour, 0, 0, 0);
    return d.toISOString();
  };
  /** The hour from `hour` o'clock (UTC), `days` from today. */
  const hourAt = (days: number, hour: number) => ({ start: soon(days, hour), end: soon(days, hour + 1) });

  describe('day and week views', () => {
    test('when the day of the autumn clock change is viewed in Berlin, then it runs 25 hours from local midnight to local midnight', async () => {
      const room = await postRoom(stack, manager, { timezone: 'Europe/Berlin' });
      await insertBooking(stack, room.id, member.id, {
        start: '2026-10-25T00:30:00Z',
        end: '2026-10-25T01:30:00Z',
        title: 'Night shift',
      });
      await insertBooking(stack, room.id, member.id, {
        start: '2026-10-25T22:30:00Z',
        end: '2026-10-25T23:30:00Z',
        title: 'Spans midnight',
      });
      await insertBooking(stack, room.id, member.id, {
        start: '2026-10-25T09:00:00Z',
        end: '2026-10-25T10:00:00Z',
        status: 'cancelled',
      });
      const res = await getJson(stack, member, `/rooms/${room.id}/calendar?view=day&date=2026-10-25`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        roomId: room.id,
        timezone: 'Europe/Berlin',
        view: 'day',
        from: Z('2026-10-24T22:00:00Z'),
        to: Z('2026-10-25T23:00:00Z'),
      });
      const [day] = res.body.days;
      expect(day).toMatchObject({ date: '2026-10-25', hours: 25 });
      expect(day.bookings.map((b: { title: string }) => b.title)).toEqual(['Night shift', 'Spans midnight']);
      expect(day.bookings[0]).toMatchObject({
        start: Z('2026-10-25T00:30:00Z'),
        end: Z('2026-10-25T01:30:00Z'),
        localStart: '2026-10-25T02:30:00+02:00',
        localEnd: '2026-10-25T02:30:00+01:00',
        status: 'confirmed',
        organizer: { id: member.id, name: 'Mia Member' },
      });
    });

    test('when a week is viewed, then it runs Monday to Sunday in the room zone and each booking sits on its local day', async () => {
      const room = await postRoom(stack, manager, { timezone: 'America/New_York' });
      // Friday 2026-12-04 21:00 in New York is already Saturday in UTC.
      await insertBooking(stack, room.id, member.id, {
        start: '2026-12-05T02:00:00Z',
        end: '2026-12-05T03:00:00Z',
        title: 'Late',
      });
      const res = await getJson(stack, member, `/rooms/${room.id}/calendar?view=week&date=2026-12-02`);
      expect(res.status).toBe(200);
      expect(res.body.days.map((d: { date: string }) => d.date)).toEqual([
        '2026-11-30',
        '2026-12-01',
        '2026-12-02',
        '2026-12-03',
        '2026-12-04',
        '2026-12-05',
        '2026-12-06',
      ]);
      expect(res.body.from).toBe(Z('2026-11-30T05:00:00Z'));
      const withBookings = res.body.days
        .filter((d: { bookings: unknown[] }) => d.bookings.length > 0)
        .map((d: { date: string }) => d.date);
      expect(withBookings).toEqual(['2026-12-04']);
    });

    test('when the date is not a calendar date, then 400 names date', async () => {
      const room = await postRoom(stack, manager);
      const bad = await getJson(stack, member, `/rooms/${room.id}/calendar?date=2026-02-30`);
      const shape = await getJson(stack, member, `/rooms/${room.id}/calendar?date=tomorrow`);
      expect([bad.status, shape.status]).toEqual([400, 400]);
      expect(bad.body.error.details.fields[0].field).toBe('date');
      expect(shape.body.error.details.fields[0].field).toBe('date');
    });
  });

  describe('the room feed', () => {
    test('when a room feed is parsed with ical.js, then each booking has its stable UID, SEQUENCE, STATUS and UTC times', async () => {
      const room = await postRoom(stack, manager, { name: 'Feed; Room, North', timezone: 'Europe/Berlin' });
      const longTitle = `Quarterly planning, budget; and "roadmap" – ${'é'.repeat(60)}`;
      const held = await insertBooking(stack, room.id, member.id, {
        ...hourAt(1, 9),
        status: 'held',
        title: longTitle,
      });
      const pending = await insertBooking(stack, room.id, member.id, { ...hourAt(1, 11), status: 'pending_approval' });
      const confirmed = await insertBooking(stack, room.id, member.id, {
        ...hourAt(2, 9),
        status: 'confirmed',
        sequence: 3,
      });
      const checkedIn = await insertBooking(stack, room.id, member.id, {
        ...hourAt(-1, 9),
        status: 'completed',
        sequence: 1,
      });
      const cancelled = await insertBooking(stack, room.id, member.id, {
        ...hourAt(3, 9),
        status: 'cancelled',
        sequence: 2,
      });
      const released = await insertBooking(stack, room.id, member.id, { ...hourAt(-2, 9), status: 'released' });

      const res = await fetch(`${stack.baseUrl}/api/v1/rooms/${room.id}/calendar.ics`, { headers: member.auth });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
      const text = await res.text();
      for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
      const feed = parseFeed(text);
      expect(feed.name).toBe('Feed; Room, North (HQ)');
      const byUid = Object.fromEntries(feed.events.map((e) => [e.uid, e]));
      expect(Object.keys(byUid).sort()).toEqual(
        [held, pending, confirmed, checkedIn, cancelled, released].map((b) => `${b.id}@roombook`).sort(),
      );
      expect(byUid[`${held.id}@roombook`]).toMatchObject({
        status: 'TENTATIVE',
        sequence: 0,
        summary: longTitle,
        ...hourAt(1, 9),
        location: 'Feed; Room, North, HQ, floor 1',
      });
      expect(byUid[`${pending.id}@roombook`].status).toBe('TENTATIVE');
      expect(byUid[`${confirmed.id}@roombook`]).toMatchObject({ status: 'CONFIRMED', sequence: 3, start: soon(2, 9) });
      expect(byUid[`${checkedIn.id}@roombook`]).toMatchObject({ status: 'CONFIRMED', sequence: 1 });
      expect(byUid[`${cancelled.id}@roombook`]).toMatchObject({ status: 'CANCELLED', sequence: 2 });
      expect(byUid[`${released.id}@roombook`].status).toBe('CANCELLED');
      // A room feed is for anyone signed in: it names no people.
      expect(byUid[`${held.id}@roombook`].organizer).toBeNull();
    });

    test('when a booking changes, then its UID stays and its SEQUENCE follows the booking', async () => {
      const room = await postRoom(stack, manager);
      const booking = await insertBooking(stack, room.id, member.id, { ...hourAt(1, 9), status: 'confirmed' });
      const read = async () =>
        parseFeed(
          await (await fetch(`${stack.baseUrl}/api/v1/rooms/${room.id}/calendar.ics`, { headers: member.auth })).text(),
        ).events[0];
      expect(await read()).toMatchObject({ uid: `${booking.id}@roombook`, sequence: 0, status: 'CONFIRMED' });
      await stack.deps.dataSource.query(
        "UPDATE bookings SET status = 'cancelled', sequence = sequence + 1, updated_at = now() WHERE id = $1",
        [booking.id],
      );
      expect(await read()).toMatchObject({ uid: `${booking.id}@roombook`, sequence: 1, status: 'CANCELLED' });
    });

    test('when nobody is signed in and no feed token is given, then the room feed answers 401', async () => {
      const room = await postRoom(stack, manager);
      expect((await fetch(`${stack.baseUrl}/api/v1/rooms/${room.id}/calendar.ics`)).status).toBe(401);
    });
  });

  describe('my feed', () => {
    const feedPath = (url: string) => {
      const u = new URL(url);
      return `${stack.baseUrl}${u.pathname}${u.search}`;
    };

    test('when a feed URL is created, then a calendar app reads my bookings with it and no bearer header', async () => {
      const me = await createUser(stack, { email: `me-${Date.now()}@example.test`, displayName: 'Me Myself' });
      const someoneElse = await createUser(stack);
      const room = await postRoom(stack, manager);
      const mine = await insertBooking(stack, room.id, me.id, { ...hourAt(1, 9), title: 'Mine' });
      const invited = await insertBooking(stack, room.id, someoneElse.id, {
        ...hourAt(1, 11),
        title: 'Invited',
        attendees: [me.email.toUpperCase()],
        status: 'held',
      });
      await insertBooking(stack, room.id, someoneElse.id, { ...hourAt(1, 13), title: 'Not mine' });

      const created = await send(stack, me, 'POST', '/users/me/calendar-feed');
      expect(created.status).toBe(201);
      expect(created.body.url).toContain(`/api/v1/users/me/calendar.ics?token=${created.body.token}`);
      const res = await fetch(feedPath(created.body.url));
      expect(res.status).toBe(200);
      const feed = parseFeed(await res.text());
      expect(feed.events.map((e) => e.summary)).toEqual(['Mine', 'Invited']);
      expect(feed.events[0]).toMatchObject({
        uid: `${mine.id}@roombook`,
        status: 'CONFIRMED',
        organizer: `mailto:${me.email}`,
      });
      expect(feed.events[1]).toMatchObject({ uid: `${invited.id}@roombook`, status: 'TENTATIVE' });
      expect((await getJson(stack, me, '/users/me/calendar-feed')).body).toMatchObject({
        active: true,
        createdAt: created.body.createdAt,
      });
      const [row] = await stack.deps.dataSource.query('SELECT token_hash FROM calendar_feeds WHERE user_id = $1', [
        me.id,
      ]);
      expect(row.token_hash).not.toContain(created.body.token);
    });

    test('when the feed URL is rotated, then the old URL answers 401 and the new one works; when revoked, neither works', async () => {
      const me = await createUser(stack);
      const first = await send(stack, me, 'POST', '/users/me/calendar-feed');
      const second = await send(stack, me, 'POST', '/users/me/calendar-feed');
      expect((await fetch(feedPath(first.body.url))).status).toBe(401);
      expect((await fetch(feedPath(second.body.url))).status).toBe(200);
      expect((await send(stack, me, 'DELETE', '/users/me/calendar-feed')).status).toBe(204);
      const revoked = await fetch(feedPath(second.body.url));
      expect(revoked.status).toBe(401);
      expect((await revoked.json()).error.code).toBe('UNAUTHORIZED');
      expect((await getJson(stack, me, '/users/me/calendar-feed')).body).toEqual({ active: false, createdAt: null });
    });

    test('when my feed is asked without a token or bearer, then 401; with a bearer header, then 200', async () => {
      expect((await fetch(`${stack.baseUrl}/api/v1/users/me/calendar.ics`)).status).toBe(401);
      expect((await fetch(`${stack.baseUrl}/api/v1/users/me/calendar.ics?token=rbcal_guess`)).status).toBe(401);
      const res = await fetch(`${stack.baseUrl}/api/v1/users/me/calendar.ics`, { headers: member.auth });
      expect(res.status).toBe(200);
      expect(parseFeed(await res.text()).name).toBe('Roombook');
    });

    test("when a feed token is used for a room feed, then it works like the owner's bearer token", async () => {
      const me = await createUser(stack);
      const room = await postRoom(stack, manager);
      const { body } = await send(stack, me, 'POST', '/users/me/calendar-feed');
      expect((await fetch(`${stack.baseUrl}/api/v1/rooms/${room.id}/calendar.ics?token=${body.token}`)).status).toBe(
        200,
      );
    });
  });
});
