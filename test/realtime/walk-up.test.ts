import { createUser, type TestUser } from '../support/fixtures';
import { request } from '../support/http';
import { book, clock, member, room, startBookingStack, type BookingStack } from '../bookings/support';
import { issueDisplayToken } from './support';

describe('walk-up booking and room status over REST', () => {
  let stack: BookingStack;
  let staff: TestUser;
  const post = (token: string, path: string, body: unknown) => request(stack, 'POST', path, { token, body });

  beforeAll(async () => {
    stack = await startBookingStack();
    staff = await createUser(stack, { role: 'facility_manager' });
  });
  afterAll(async () => stack.stop());

  test("when a person or another room's display asks for a walk-up, then it is refused", async () => {
    const r = await room(stack);
    const other = await room(stack);
    expect((await post((await member(stack)).token, `/rooms/${r.id}/walk-up`, { minutes: 15 })).status).toBe(403);
    const otherDisplay = await issueDisplayToken(stack, staff.token, other.id);
    expect((await post(otherDisplay, `/rooms/${r.id}/walk-up`, { minutes: 15 })).body.error.code).toBe('FORBIDDEN');
    const status = await request(stack, 'GET', `/rooms/${r.id}/status`, { token: otherDisplay });
    expect(status.status).toBe(403);
  });

  test('when the walk-up asks for a length other than 15, 30 or 60 minutes, then it is a 400 naming minutes', async () => {
    const r = await room(stack);
    const display = await issueDisplayToken(stack, staff.token, r.id);
    const res = await post(display, `/rooms/${r.id}/walk-up`, { minutes: 20 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toBe('minutes');
  });

  test('when the next booking is in the way, then the walk-up is a 409 SLOT_CONFLICT and nothing is booked', async () => {
    const r = await room(stack);
    const at = clock();
    await book(stack, await member(stack), { roomId: r.id, start: at(600), end: at(1200) });
    const display = await issueDisplayToken(stack, staff.token, r.id);
    const res = await post(display, `/rooms/${r.id}/walk-up`, { minutes: 30 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('SLOT_CONFLICT');
  });

  test("when the room is free, then a walk-up starts on the room's grid, is checked in, and its organizer is the room's walk-up account", async () => {
    const r = await room(stack, { slotGranularitySeconds: 60, checkInOpensBeforeSeconds: 120 });
    const display = await issueDisplayToken(stack, staff.token, r.id);
    const before = Date.now();
    const res = await post(display, `/rooms/${r.id}/walk-up`, { minutes: 15, title: 'Quick sync' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ roomId: r.id, title: 'Quick sync', status: 'checked_in' });
    expect(Date.parse(res.body.start) % 60_000).toBe(0);
    expect(Date.parse(res.body.start)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(res.body.end) - Date.parse(res.body.start)).toBe(15 * 60_000);
    const [organizer] = await stack.deps.dataSource.query(
      'SELECT email, role, password_hash FROM users WHERE id = $1',
      [res.body.organizerId],
    );
    expect(organizer).toEqual({
      email: `walk-up.${r.id}@displays.roombook.invalid`,
      role: 'display',
      password_hash: null,
    });

    const again = await post(display, `/rooms/${r.id}/walk-up`, { minutes: 15 });
    expect(again.status).toBe(409);
  });
});
