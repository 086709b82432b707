import { createUser } from '../support/fixtures';
import { clock, book, call, member, room, startBookingStack, type BookingStack } from './support';
import { stackForSuite } from '../support/stack';

describe('bad booking input is refused with a clear 4xx and leaves nothing behind', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  const bookingsOf = async (roomId: string) =>
    (await stack.deps.dataSource.query('SELECT count(*)::int AS n FROM bookings WHERE room_id = $1', [roomId]))[0].n;
  const runningWorkflowsOf = async (roomId: string) => {
    let n = 0;
    for await (const _ of stack.deps.temporal.workflow.list({
      query: `RoomId = "${roomId}" AND ExecutionStatus = "Running"`,
    }))
      n += 1;
    return n;
  };

  test.each([
    ['a malformed start', { start: 'tomorrow at nine' }, 400, 'VALIDATION_FAILED', 'start'],
    ['a zone-less start', { start: '2030-01-01T09:00:00' }, 400, 'VALIDATION_FAILED', 'start'],
    ['an unknown field', { colour: 'blue' }, 400, 'VALIDATION_FAILED', 'colour'],
    ['an attendee that is not an email', { attendees: ['not-an-email'] }, 400, 'VALIDATION_FAILED', 'attendees.0'],
    ['an overlong title', { title: 'x'.repeat(201) }, 400, 'VALIDATION_FAILED', 'title'],
  ])('when the body has %s, then 400 names the field', async (_what, patch, status, code, field) => {
    const at = clock();
    const r = await room(stack);
    const res = await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(5400), ...patch });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(await bookingsOf(r.id)).toBe(0);
  });

  const later = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();
  type Slot = (r: { id: string }, at: (s: number) => string) => Record<string, string>;
  test.each<[string, Slot, number, string]>([
    ['end before start', (r, at) => ({ roomId: r.id, start: at(5400), end: at(3600) }), 400, 'VALIDATION_FAILED'],
    [
      'a start off the slot grid',
      (r, at) => ({ roomId: r.id, start: later(at(3600), 7), end: at(5400) }),
      422,
      'POLICY_VIOLATION',
    ],
    ['a start in the past', (r, at) => ({ roomId: r.id, start: at(-3600), end: at(1800) }), 422, 'POLICY_VIOLATION'],
    [
      'a start beyond the horizon',
      (r, at) => ({ roomId: r.id, start: at(40 * 86400), end: at(40 * 86400 + 1800) }),
      422,
      'POLICY_VIOLATION',
    ],
    [
      'a booking longer than the maximum',
      (r, at) => ({ roomId: r.id, start: at(3600), end: at(3600 + 8100) }),
      422,
      'POLICY_VIOLATION',
    ],
  ])(
    'when the slot has %s, then it is refused and nothing is written or left running',
    async (_what, slot, status, code) => {
      // A quarter-hour grid in UTC; `at` counts from a quarter hour, so its multiples of 900 are on it.
      const r = await room(stack, { slotGranularitySeconds: 900, maxDurationSeconds: 7200 });
      const at = clock(Math.ceil(Date.now() / 900_000) * 900_000);
      const res = await book(stack, await member(stack), slot(r, at));
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(await bookingsOf(r.id)).toBe(0);
      expect(await runningWorkflowsOf(r.id)).toBe(0);
    },
  );

  test('when the room does not exist, then 404', async () => {
    const at = clock();
    const res = await book(stack, await member(stack), {
      roomId: '00000000-0000-4000-8000-000000000000',
      start: at(3600),
      end: at(5400),
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  test('when the room is out of service, then 409 ROOM_OUT_OF_SERVICE and nothing is written', async () => {
    const at = clock();
    const r = await room(stack, {}, { status: 'out_of_service' });
    const res = await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(5400) });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ROOM_OUT_OF_SERVICE');
    expect(await bookingsOf(r.id)).toBe(0);
  });

  test("when an action does not fit the booking's state, then 409 INVALID_STATE and the booking is unchanged", async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    const confirmAgain = await call(stack, u, 'POST', `/bookings/${booked.body.id}/confirm`, {});
    expect(confirmAgain.status).toBe(409);
    expect(confirmAgain.body.error.code).toBe('INVALID_STATE');
    const checkOut = await call(stack, u, 'POST', `/bookings/${booked.body.id}/check-out`, {});
    expect(checkOut.status).toBe(409);
    const cancelled = await call(stack, u, 'POST', `/bookings/${booked.body.id}/cancel`, {});
    expect(cancelled.body.status).toBe('cancelled');
    const cancelAgain = await call(stack, u, 'POST', `/bookings/${booked.body.id}/cancel`, {});
    expect(cancelAgain.status).toBe(409);
    expect(['INVALID_STATE', 'BOOKING_CLOSED']).toContain(cancelAgain.body.error.code);
  });

  test("when another member asks for, cancels or changes someone's booking, then 404 and nothing changes", async () => {
    const at = clock();
    const r = await room(stack);
    const owner = await member(stack);
    const stranger = await member(stack);
    const booked = await book(stack, owner, { roomId: r.id, start: at(3600), end: at(5400) });
    expect((await call(stack, stranger, 'GET', `/bookings/${booked.body.id}`)).status).toBe(404);
    expect((await call(stack, stranger, 'POST', `/bookings/${booked.body.id}/cancel`, {})).status).toBe(404);
    expect((await call(stack, stranger, 'PATCH', `/bookings/${booked.body.id}`, { title: 'mine now' })).status).toBe(
      404,
    );
    expect((await call(stack, owner, 'GET', `/bookings/${booked.body.id}`)).body).toMatchObject({
      status: 'confirmed',
      title: booked.body.title,
    });
    const admin = await createUser(stack, { role: 'admin' });
    expect((await call(stack, admin, 'GET', `/bookings/${booked.body.id}`)).status).toBe(200);
  });

  test('when an attendee lists bookings, then the booking they attend is among theirs', async () => {
    const at = clock();
    const r = await room(stack);
    const attendee = await member(stack);
    const booked = await book(stack, await member(stack), {
      roomId: r.id,
      start: at(3600),
      end: at(5400),
      attendees: [attendee.email.toUpperCase()],
    });
    const mine = await call(stack, attendee, 'GET', `/bookings?roomId=${r.id}`);
    expect(mine.body.items.map((b: { id: string }) => b.id)).toEqual([booked.body.id]);
    expect((await call(stack, attendee, 'GET', '/bookings?scope=all')).status).toBe(403);
  });
});
