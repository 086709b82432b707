import { DEFAULT_ROOM_POLICY } from '../../src/shared/booking';
import { createUser, type TestUser } from '../support/fixtures';
import { request } from '../support/http';
import type { TestStack } from '../support/stack';
import { getJson, insertBooking, postRoom, roomSuite, send, uniqueBuilding } from './support';

describe('the room catalog', () => {
  let stack: TestStack;
  let manager: TestUser;
  let member: TestUser;
  roomSuite((suite) => ({ stack, manager, member } = suite), { role: 'member' });

  describe('create, read, update, delete', () => {
    test('when a facility manager creates a room with part of a policy, then the rest of the policy takes the defaults', async () => {
      const created = await postRoom(stack, manager, {
        name: 'Orion',
        building: 'North',
        floor: '3',
        capacity: 8,
        timezone: 'Europe/Berlin',
        amenities: ['screen', 'whiteboard'],
        equipment: [{ name: 'Projector', status: 'degraded' }],
        policy: { requiresApproval: true, bufferSeconds: 600 },
      });
      expect(created).toMatchObject({
        name: 'Orion',
        building: 'North',
        floor: '3',
        capacity: 8,
        timezone: 'Europe/Berlin',
        status: 'active',
        amenities: ['screen', 'whiteboard'],
        equipment: [{ name: 'Projector', status: 'degraded' }],
        policy: { ...DEFAULT_ROOM_POLICY, requiresApproval: true, bufferSeconds: 600 },
        rating: { average: null, count: 0 },
      });
      const read = await getJson(stack, member, `/rooms/${created.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created);
    });

    test('when a policy is patched, then only the given fields change and the room row carries the whole policy', async () => {
      const room = await postRoom(stack, manager, { policy: { holdTtlSeconds: 1 } });
      const res = await send(stack, manager, 'PATCH', `/rooms/${room.id}`, {
        capacity: 12,
        policy: { checkInGraceSeconds: 2 },
      });
      expect(res.status).toBe(200);
      expect(res.body.capacity).toBe(12);
      expect(res.body.policy).toEqual({ ...DEFAULT_ROOM_POLICY, holdTtlSeconds: 1, checkInGraceSeconds: 2 });
      const [row] = await stack.deps.dataSource.query('SELECT policy FROM rooms WHERE id = $1', [room.id]);
      expect(row.policy).toEqual(res.body.policy);
    });

    test('when a room is taken out of service, then it reads as out_of_service', async () => {
      const room = await postRoom(stack, manager);
      const res = await send(stack, manager, 'PATCH', `/rooms/${room.id}`, { status: 'out_of_service' });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('out_of_service');
    });

    test('when a room without bookings is deleted, then it is gone (404)', async () => {
      const room = await postRoom(stack, manager);
      expect((await send(stack, manager, 'DELETE', `/rooms/${room.id}`)).status).toBe(204);
      expect((await getJson(stack, member, `/rooms/${room.id}`)).status).toBe(404);
      expect((await send(stack, manager, 'PATCH', `/rooms/${room.id}`, { capacity: 3 })).status).toBe(404);
    });

    test('when a room has future active bookings, then deleting it answers 409 naming how many', async () => {
      const room = await postRoom(stack, manager);
      const inAnHour = Date.now() + 3_600_000;
      const at = (h: number) => new Date(inAnHour + h * 3_600_000).toISOString();
      await insertBooking(stack, room.id, member.id, { start: at(0), end: at(1), status: 'confirmed' });
      await insertBooking(stack, room.id, member.id, { start: at(2), end: at(3), status: 'held' });
      await insertBooking(stack, room.id, member.id, { start: at(4), end: at(5), status: 'cancelled' });
      await insertBooking(stack, room.id, member.id, { start: at(-50), end: at(-49), status: 'completed' });
      const res = await send(stack, manager, 'DELETE', `/rooms/${room.id}`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ROOM_HAS_BOOKINGS');
      expect(res.body.error.details).toEqual({ futureActiveBookings: 2 });
      expect(res.body.error.message).toContain('2 future active bookings');
      expect((await getJson(stack, member, `/rooms/${room.id}`)).status).toBe(200);
    });

    test('when a room has only past bookings, then deleting it succeeds and the history stays', async () => {
      const room = await postRoom(stack, manager);
      const booking = await insertBooking(stack, room.id, member.id, {
        start: '2025-01-06T09:00:00Z',
        end: '2025-01-06T10:00:00Z',
        status: 'completed',
      });
      expect((await send(stack, manager, 'DELETE', `/rooms/${room.id}`)).status).toBe(204);
      const [row] = await stack.deps.dataSource.query('SELECT room_id FROM bookings WHERE id = $1', [booking.id]);
      expect(row.room_id).toBe(room.id);
    });

    test('when a building already has a room of that name, then a second one answers 409', async () => {
      const building = uniqueBuilding();
      await postRoom(stack, manager, { building, name: 'Atlas' });
      const res = await send(stack, manager, 'POST', '/rooms', {
        building,
        name: 'atlas',
        floor: '1',
        capacity: 2,
        timezone: 'UTC',
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ROOM_NAME_TAKEN');
    });
  });

  describe('permissions', () => {
    test('when a member tries to create, change or delete a room, then each answers 403', async () => {
      const room = await postRoom(stack, manager);
      const create = await send(stack, member, 'POST', '/rooms', {
        name: 'X',
        building: 'HQ',
        floor: '1',
        capacity: 2,
        timezone: 'UTC',
      });
      const patch = await send(stack, member, 'PATCH', `/rooms/${room.id}`, { capacity: 3 });
      const remove = await send(stack, member, 'DELETE', `/rooms/${room.id}`);
      const amenity = await send(stack, member, 'POST', '/amenities', { name: 'sofa' });
      expect([create.status, patch.status, remove.status, amenity.status]).toEqual([403, 403, 403, 403]);
      expect(create.body.error.code).toBe('FORBIDDEN');
      expect((await getJson(stack, member, `/rooms/${room.id}`)).body.capacity).toBe(6);
    });

    test('when an admin manages a room, then it is allowed', async () => {
      const admin = await createUser(stack, { role: 'admin' });
      const room = await postRoom(stack, admin);
      expect((await send(stack, admin, 'DELETE', `/rooms/${room.id}`)).status).toBe(204);
    });

    test('when nobody is signed in, then listing rooms answers 401', async () => {
      const res = await request(stack, 'GET', '/rooms');
      expect(res.status).toBe(401);
    });
  });

  describe('validation', () => {
    const base = { name: 'Valid', building: 'HQ', floor: '1', capacity: 4, timezone: 'UTC' };
    const fieldsOf = (body: any) => body.error.details.fields.map((f: { field: string }) => f.field);

    test.each([
      ['capacity 0', { capacity: 0 }, 'capacity'],
      ['a negative capacity', { capacity: -3 }, 'capacity'],
      ['a time zone that is not IANA', { timezone: 'Mars/Olympus' }, 'timezone'],
      [
        'an equipment status outside ok/degraded/broken',
        { equipment: [{ name: 'TV', status: 'melted' }] },
        'equipment.0.status',
      ],
      [
        'a granularity that does not divide a day',
        { policy: { slotGranularitySeconds: 7000 } },
        'policy.slotGranularitySeconds',
      ],
      ['a negative buffer', { policy: { bufferSeconds: -1 } }, 'policy.bufferSeconds'],
      ['an unknown policy field', { policy: { coffee: true } }, 'policy'],
      [
        'a max duration shorter than a slot',
        { policy: { slotGranularitySeconds: 3600, maxDurationSeconds: 900 } },
        'policy.maxDurationSeconds',
      ],
      ['an unknown amenity', { amenities: ['screen', 'jacuzzi'] }, 'amenities'],
      ['a repeated amenity', { amenities: ['screen', 'screen'] }, 'amenities'],
    ])('when a room is created with %s, then 400 names the field', async (_label, overrides, field) => {
      const res = await send(stack, manager, 'POST', '/rooms', { ...base, ...overrides });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(res.body)).toContain(field);
      expect(res.body.error.message).toContain(field);
    });

    test('when a one-second policy is given, then it is accepted so tests can run a booking life in seconds', async () => {
      const policy = {
        slotGranularitySeconds: 1,
        holdTtlSeconds: 1,
        approvalTimeoutSeconds: 1,
        checkInOpensBeforeSeconds: 1,
        checkInGraceSeconds: 1,
        reminderLeadSeconds: 1,
        maxDurationSeconds: 1,
        reviewPromptDelaySeconds: 1,
        reviewWindowSeconds: 1,
      };
      const room = await postRoom(stack, manager, { policy });
      expect(room.policy).toMatchObject(policy);
    });

    test('when a patch would break a cross-field rule of the merged policy, then 400 and nothing changes', async () => {
      const room = await postRoom(stack, manager, { policy: { maxDurationSeconds: 1800 } });
      const res = await send(stack, manager, 'PATCH', `/rooms/${room.id}`, {
        policy: { slotGranularitySeconds: 3600 },
      });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['policy.maxDurationSeconds']);
      expect((await getJson(stack, member, `/rooms/${room.id}`)).body.policy.slotGranularitySeconds).toBe(900);
    });

    test('when a room id is not a uuid, then 400 names id', async () => {
      const res = await getJson(stack, member, '/rooms/not-a-uuid');
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual(['id']);
    });
  });

  describe('amenity vocabulary', () => {
    test('when staff add an amenity, then rooms may use it and it is listed', async () => {
      const name = `sofa_${Date.now().toString(36)}`;
      const added = await send(stack, manager, 'POST', '/amenities', { name, label: 'Sofa' });
      expect(added.status).toBe(201);
      expect((await send(stack, manager, 'POST', '/amenities', { name })).status).toBe(409);
      const list = await getJson(stack, member, '/amenities');
      expect(list.body.items).toEqual(
        expect.arrayContaining([
          { name, label: 'Sofa' },
          { name: 'screen', label: 'Screen' },
        ]),
      );
      const room = await postRoom(stack, manager, { amenities: [name] });
      expect(room.amenities).toEqual([name]);
    });
  });

  describe('listing', () => {
    async function catalog() {
      const building = uniqueBuilding();
      const rooms = {
        small: await postRoom(stack, manager, {
          building,
          name: 'Cedar',
          floor: '1',
          capacity: 4,
          amenities: ['screen'],
        }),
        medium: await postRoom(stack, manager, {
          building,
          name: 'Birch',
          floor: '2',
          capacity: 8,
          amenities: ['screen', 'whiteboard'],
        }),
        large: await postRoom(stack, manager, {
          building,
          name: 'Aspen',
          floor: '2',
          capacity: 20,
          amenities: ['screen', 'whiteboard', 'video_conferencing'],
        }),
        broken: await postRoom(stack, manager, {
          building,
          name: 'Dogwood',
          floor: '1',
          capacity: 10,
          amenities: ['whiteboard'],
          status: 'out_of_service',
        }),
      };
      return { building, rooms };
    }
    const names = (body: any) => body.items.map((r: { name: string }) => r.name);

    test('when rooms are listed with filters, then only rooms matching every filter come back', async () => {
      const { building } = await catalog();
      const q = (s: string) => getJson(stack, member, `/rooms?building=${building}&${s}`);
      expect(names((await q('')).body)).toEqual(['Aspen', 'Birch', 'Cedar', 'Dogwood']);
      expect(names((await q('floor=2')).body)).toEqual(['Aspen', 'Birch']);
      expect(names((await q('capacity=8')).body)).toEqual(['Aspen', 'Birch', 'Dogwood']);
      expect(names((await q('amenities=screen,whiteboard')).body)).toEqual(['Aspen', 'Birch']);
      expect(names((await q('status=out_of_service')).body)).toEqual(['Dogwood']);
      expect(names((await q('status=active&capacity=5&amenities=whiteboard')).body)).toEqual(['Aspen', 'Birch']);
    });

    test('when rooms are sorted by capacity or by rating, then the order follows, unrated rooms last', async () => {
      const { building, rooms } = await catalog();
      await stack.deps.dataSource.query('UPDATE rooms SET rating_average = $2, rating_count = 3 WHERE id = $1', [
        rooms.small.id,
        4.5,
      ]);
      await stack.deps.dataSource.query('UPDATE rooms SET rating_average = $2, rating_count = 1 WHERE id = $1', [
        rooms.large.id,
        3,
      ]);
      const q = (s: string) => getJson(stack, member, `/rooms?building=${building}&${s}`);
      expect(names((await q('sort=capacity')).body)).toEqual(['Cedar', 'Birch', 'Dogwood', 'Aspen']);
      expect(names((await q('sort=capacity&order=desc')).body)).toEqual(['Aspen', 'Dogwood', 'Birch', 'Cedar']);
      const byRating = (await q('sort=rating')).body;
      expect(names(byRating)).toEqual(['Cedar', 'Aspen', 'Birch', 'Dogwood']);
      expect(byRating.items[0].rating).toEqual({ average: 4.5, count: 3 });
    });

    test('when rooms are paged, then each page has limit items and the total counts every match', async () => {
      const { building } = await catalog();
      const q = (s: string) => getJson(stack, member, `/rooms?building=${building}&${s}`);
      const first = (await q('limit=3&offset=0')).body;
      const second = (await q('limit=3&offset=3')).body;
      expect(first).toMatchObject({ total: 4, limit: 3, offset: 0 });
      expect(names(first)).toEqual(['Aspen', 'Birch', 'Cedar']);
      expect(second).toMatchObject({ total: 4, limit: 3, offset: 3 });
      expect(names(second)).toEqual(['Dogwood']);
    });

    test.each([
      ['capacity=0', 'capacity'],
      ['capacity=-2', 'capacity'],
      ['amenities=screen,jacuzzi', 'amenities'],
      ['limit=1000', 'limit'],
      ['sort=price', 'sort'],
    ])('when the listing is asked with %s, then 400 names %s', async (query, field) => {
      const res = await getJson(stack, member, `/rooms?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    });
  });
});
