import { invalidateRoomAvailability } from '../../src/infra/availability-cache';
import type { TestUser } from '../support/fixtures';
import { startApi, type TestStack } from '../support/stack';
import { getJson, insertBooking, postRoom, roomSuite, send, uniqueBuilding } from './support';

const Z = (s: string) => new Date(s).toISOString();

describe('room availability and search', () => {
  let stack: TestStack;
  let manager: TestUser;
  let member: TestUser;
  roomSuite((suite) => ({ stack, manager, member } = suite));

  const availability = (roomId: string, from: string, to: string) =>
    getJson(
      stack,
      member,
      `/rooms/${roomId}/availability?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    );

  describe('one room', () => {
    test('when Berlin falls back from summer time, then free time follows the local two-hour grid (02:00 twice, then 04:00)', async () => {
      const room = await postRoom(stack, manager, {
        timezone: 'Europe/Berlin',
        policy: { slotGranularitySeconds: 7200 },
      });
      // 02:30 CEST to 02:30 CET: the repeated hour.
      await insertBooking(stack, room.id, member.id, { start: '2026-10-25T00:30:00Z', end: '2026-10-25T01:30:00Z' });
      // The local day of 25 hours: midnight CEST to midnight CET.
      const res = await availability(room.id, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        roomId: room.id,
        timezone: 'Europe/Berlin',
        slotGranularitySeconds: 7200,
        roomStatus: 'active',
      });
      expect(res.body.from).toBe(Z('2026-10-24T22:00:00Z'));
      expect(res.body.busy).toEqual([
        { start: Z('2026-10-25T00:30:00Z'), end: Z('2026-10-25T01:30:00Z'), status: 'confirmed' },
      ]);
      // Free until 02:00 CEST; then from 04:00 CET (03:00Z). A UTC-aligned grid would say 02:00Z (03:00 CET).
      expect(res.body.free).toEqual([
        { start: Z('2026-10-24T22:00:00Z'), end: Z('2026-10-25T00:00:00Z') },
        { start: Z('2026-10-25T03:00:00Z'), end: Z('2026-10-25T23:00:00Z') },
      ]);
    });

    test('when Berlin springs forward, then the grid counts wall-clock hours from midnight (02:00 does not exist, 04:00 does)', async () => {
      const room = await postRoom(stack, manager, {
        timezone: 'Europe/Berlin',
        policy: { slotGranularitySeconds: 7200 },
      });
      // 00:30 to 01:30 CET on the 23-hour day.
      await insertBooking(stack, room.id, member.id, { start: '2026-03-28T23:30:00Z', end: '2026-03-29T00:30:00Z' });
      const res = await availability(room.id, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00');
      expect(res.status).toBe(200);
      // Counting two hours of elapsed time from midnight would give 03:00 CEST (01:00Z); the wall clock says 04:00 CEST.
      expect(res.body.free).toEqual([{ start: Z('2026-03-29T02:00:00Z'), end: Z('2026-03-29T22:00:00Z') }]);
    });

    test('when a room has a buffer, then free time keeps the buffer after each booking and before the next', async () => {
      const room = await postRoom(stack, manager, { policy: { bufferSeconds: 900, slotGranularitySeconds: 900 } });
      await insertBooking(stack, room.id, member.id, {
        start: '2026-12-01T10:00:00Z',
        end: '2026-12-01T11:00:00Z',
        bufferSeconds: 900,
      });
      await insertBooking(stack, room.id, member.id, {
        start: '2026-12-01T12:00:00Z',
        end: '2026-12-01T12:30:00Z',
        bufferSeconds: 900,
        status: 'held',
      });
      const res = await availability(room.id, '2026-12-01T08:00:00Z', '2026-12-01T14:00:00Z');
      expect(res.status).toBe(200);
      expect(res.body.busy).toEqual([
        { start: Z('2026-12-01T10:00:00Z'), end: Z('2026-12-01T11:00:00Z'), status: 'confirmed' },
        { start: Z('2026-12-01T12:00:00Z'), end: Z('2026-12-01T12:30:00Z'), status: 'held' },
      ]);
      expect(res.body.free).toEqual([
        { start: Z('2026-12-01T08:00:00Z'), end: Z('2026-12-01T09:45:00Z') },
        { start: Z('2026-12-01T11:15:00Z'), end: Z('2026-12-01T11:45:00Z') },
        { start: Z('2026-12-01T12:45:00Z'), end: Z('2026-12-01T14:00:00Z') },
      ]);
    });

    test('when bookings are cancelled or the window is off the grid, then they are ignored and free time snaps inward to the grid', async () => {
      const room = await postRoom(stack, manager, { policy: { slotGranularitySeconds: 1800 } });
      await insertBooking(stack, room.id, member.id, {
        start: '2026-12-02T10:00:00Z',
        end: '2026-12-02T11:00:00Z',
        status: 'cancelled',
      });
      const res = await availability(room.id, '2026-12-02T09:10:00Z', '2026-12-02T11:50:00Z');
      expect(res.body.busy).toEqual([]);
      expect(res.body.free).toEqual([{ start: Z('2026-12-02T09:30:00Z'), end: Z('2026-12-02T11:30:00Z') }]);
    });

    test('when a room is out of service, then it has no free time', async () => {
      const room = await postRoom(stack, manager, { status: 'out_of_service' });
      const res = await availability(room.id, '2026-12-01T08:00:00Z', '2026-12-01T09:00:00Z');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ roomStatus: 'out_of_service', free: [] });
    });

    test('when the room does not exist, then 404', async () => {
      const res = await availability(
        '00000000-0000-4000-8000-000000000000',
        '2026-12-01T08:00:00Z',
        '2026-12-01T09:00:00Z',
      );
      expect(res.status).toBe(404);
    });
  });

  describe('bad input', () => {
    const fields = (body: any) => body.error.details.fields.map((f: { field: string }) => f.field);

    test.each([
      ['from equal to to', 'from=2026-12-01T10:00:00Z&to=2026-12-01T10:00:00Z', 'to'],
      ['from after to', 'from=2026-12-01T11:00:00Z&to=2026-12-01T10:00:00Z', 'to'],
      ['a window over 31 days', 'from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:01Z', 'to'],
      ['a malformed from', 'from=tomorrow&to=2026-12-01T10:00:00Z', 'from'],
      ['a zone-less to', 'from=2026-12-01T09:00:00Z&to=2026-12-01T10:00:00', 'to'],
      ['a missing from', 'to=2026-12-01T10:00:00Z', 'from'],
      ['capacity 0', 'from=2026-12-01T09:00:00Z&to=2026-12-01T10:00:00Z&capacity=0', 'capacity'],
      ['a negative capacity', 'from=2026-12-01T09:00:00Z&to=2026-12-01T10:00:00Z&capacity=-4', 'capacity'],
      [
        'an unknown amenity',
        'from=2026-12-01T09:00:00Z&to=2026-12-01T10:00:00Z&amenities=screen,teleporter',
        'amenities',
      ],
    ])('when the search gets %s, then 400 names %s', async (_label, query, field) => {
      const res = await getJson(stack, member, `/availability?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(fields(res.body)).toEqual([field]);
      expect(res.body.error.message).toContain(field);
    });

    test('when a room availability window is reversed or longer than 31 days, then 400 names to', async () => {
      const room = await postRoom(stack, manager);
      const reversed = await availability(room.id, '2026-12-02T00:00:00Z', '2026-12-01T00:00:00Z');
      const tooLong = await availability(room.id, '2026-12-01T00:00:00Z', '2027-02-01T00:00:00Z');
      expect([reversed.status, tooLong.status]).toEqual([400, 400]);
      expect(fields(reversed.body)).toEqual(['to']);
      expect(tooLong.body.error.message).toContain('31 days');
    });
  });

  describe('search', () => {
    const search = (query: string) => getJson(stack, member, `/availability?${query}`);
    const window = 'from=2026-12-03T09:00:00Z&to=2026-12-03T10:00:00Z';

    test('when rooms are searched, then free rooms come best fit first (smallest capacity, then rating) with their next busy time', async () => {
      const building = uniqueBuilding();
      const room = (name: string, capacity: number, extra: Record<string, unknown> = {}) =>
        postRoom(stack, manager, { building, name, capacity, amenities: ['screen'], ...extra });
      const tooSmall = await room('Tiny', 4);
      const sixOk = await room('Six OK', 6);
      const sixGreat = await room('Six Great', 6);
      const ten = await room('Ten', 10);
      const busy = await room('Busy', 8);
      const buffered = await room('Buffered', 8, { policy: { bufferSeconds: 600 } });
      const touching = await room('Touching', 12);
      await room('Closed', 7, { status: 'out_of_service' });
      await room('No screen', 7, { amenities: ['whiteboard'] });
      await stack.deps.dataSource.query('UPDATE rooms SET rating_average = 3.2 WHERE id = $1', [sixOk.id]);
      await stack.deps.dataSource.query('UPDATE rooms SET rating_average = 4.8 WHERE id = $1', [sixGreat.id]);
      await insertBooking(stack, busy.id, member.id, { start: '2026-12-03T09:30:00Z', end: '2026-12-03T11:00:00Z' });
      // Starts 5 minutes after the window: a booking ending at 10:00 would leave no room for the 10-minute buffer.
      await insertBooking(stack, buffered.id, member.id, {
        start: '2026-12-03T10:05:00Z',
        end: '2026-12-03T11:00:00Z',
        bufferSeconds: 600,
      });
      // Ends exactly when the window starts: intervals are half-open, so it does not overlap.
      await insertBooking(stack, touching.id, member.id, {
        start: '2026-12-03T08:00:00Z',
        end: '2026-12-03T09:00:00Z',
      });
      await insertBooking(stack, ten.id, member.id, { start: '2026-12-03T13:00:00Z', end: '2026-12-03T14:00:00Z' });
      await insertBooking(stack, ten.id, member.id, { start: '2026-12-03T15:00:00Z', end: '2026-12-03T16:00:00Z' });

      const res = await search(`${window}&capacity=5&amenities=screen&building=${building}`);
      expect(res.status).toBe(200);
      expect(res.body.rooms.map((r: { name: string }) => r.name)).toEqual(['Six Great', 'Six OK', 'Ten', 'Touching']);
      const byName = Object.fromEntries(res.body.rooms.map((r: { name: string }) => [r.name, r]));
      expect(byName.Ten.nextBusyAt).toBe(Z('2026-12-03T13:00:00Z'));
      expect(byName['Six OK'].nextBusyAt).toBeNull();
      expect(byName['Six Great']).toMatchObject({ id: sixGreat.id, capacity: 6, rating: { average: 4.8 } });
      expect(res.body.rooms.map((r: { id: string }) => r.id)).not.toContain(tooSmall.id);
    });

    test('when a booking is written and its room invalidated, then a search at once no longer offers the room', async () => {
      const building = uniqueBuilding();
      const room = await postRoom(stack, manager, { building });
      const q = `${window}&building=${building}`;
      const first = await search(q);
      expect(first.headers.get('x-availability-cache')).toBe('miss');
      expect(first.body.rooms.map((r: { id: string }) => r.id)).toEqual([room.id]);
      // Any booking write anywhere bumps the search cache's version, and other test files write
      // bookings all the time: ask again until an answer comes from the cache.
      let cached = await search(q);
      for (let i = 0; i < 20 && cached.headers.get('x-availability-cache') !== 'hit'; i += 1) cached = await search(q);
      expect(cached.headers.get('x-availability-cache')).toBe('hit');

      await insertBooking(stack, room.id, member.id, { start: '2026-12-03T09:00:00Z', end: '2026-12-03T10:00:00Z' });
      expect(await invalidateRoomAvailability(stack.deps.redis, room.id)).toBe(true);
      const after = await search(q);
      expect(after.body.rooms).toEqual([]);
    });

    test('when a booking is written and its room invalidated, then the room availability at once shows it busy', async () => {
      const room = await postRoom(stack, manager);
      const before = await availability(room.id, '2026-12-04T09:00:00Z', '2026-12-04T10:00:00Z');
      const again = await availability(room.id, '2026-12-04T09:00:00Z', '2026-12-04T10:00:00Z');
      expect(before.body.free).toHaveLength(1);
      expect(again.headers.get('x-availability-cache')).toBe('hit');

      await insertBooking(stack, room.id, member.id, {
        start: '2026-12-04T09:00:00Z',
        end: '2026-12-04T10:00:00Z',
        status: 'held',
      });
      await invalidateRoomAvailability(stack.deps.redis, room.id);
      const after = await availability(room.id, '2026-12-04T09:00:00Z', '2026-12-04T10:00:00Z');
      expect(after.body.free).toEqual([]);
      expect(after.body.busy).toEqual([
        { start: Z('2026-12-04T09:00:00Z'), end: Z('2026-12-04T10:00:00Z'), status: 'held' },
      ]);
    });

    test('when a room is taken out of service, then a cached search drops it at once', async () => {
      const building = uniqueBuilding();
      const room = await postRoom(stack, manager, { building });
      const q = `${window}&building=${building}`;
      expect((await search(q)).body.rooms).toHaveLength(1);
      expect((await send(stack, manager, 'PATCH', `/rooms/${room.id}`, { status: 'out_of_service' })).status).toBe(200);
      expect((await search(q)).body.rooms).toEqual([]);
    });
  });

  describe('a Redis outage', () => {
    let offline: TestStack;
    beforeAll(async () => {
      offline = await startApi({ redisUrl: 'redis://127.0.0.1:1' });
    });
    afterAll(async () => {
      await offline.close();
    });

    test('when Redis is unreachable, then availability and search answer from the database', async () => {
      const building = uniqueBuilding();
      const room = await postRoom(stack, manager, { building });
      await insertBooking(stack, room.id, member.id, { start: '2026-12-05T09:00:00Z', end: '2026-12-05T10:00:00Z' });
      const one = await getJson(
        offline,
        member,
        `/rooms/${room.id}/availability?from=2026-12-05T08:00:00Z&to=2026-12-05T11:00:00Z`,
      );
      expect(one.status).toBe(200);
      expect(one.headers.get('x-availability-cache')).toBe('bypass');
      expect(one.body.busy).toHaveLength(1);
      const found = await getJson(
        offline,
        member,
        `/availability?from=2026-12-05T10:00:00Z&to=2026-12-05T11:00:00Z&building=${building}`,
      );
      expect(found.status).toBe(200);
      expect(found.headers.get('x-availability-cache')).toBe('bypass');
      expect(found.body.rooms.map((r: { id: string }) => r.id)).toEqual([room.id]);
      expect(await invalidateRoomAvailability(offline.deps.redis, room.id)).toBe(false);
    });

    test('when Redis is unreachable, then rooms can still be created', async () => {
      const res = await send(offline, manager, 'POST', '/rooms', {
        name: 'Offline',
        building: uniqueBuilding(),
        floor: '1',
        capacity: 2,
        timezone: 'UTC',
      });
      expect(res.status).toBe(201);
    });
  });
});
