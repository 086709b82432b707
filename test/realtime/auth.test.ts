import { signAccessToken } from '../../src/api/auth/jwt';
import { createUser, type TestUser } from '../support/fixtures';
import { book, call, clock, eventually, member, room, startBookingStack, type BookingStack } from '../bookings/support';
import { connectClient, issueDisplayToken, refusedHandshake, type TestClient } from './support';

describe('realtime authentication and room access', () => {
  let stack: BookingStack;
  let staff: TestUser;
  const clients: TestClient[] = [];
  const client = async (token: string) => {
    const c = await connectClient(stack, token);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    stack = await startBookingStack();
    staff = await createUser(stack, { role: 'facility_manager' });
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await stack.stop();
  });

  test('when a client connects without a token, then the handshake is refused', async () => {
    expect(await refusedHandshake(stack, undefined)).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('auth: {token}'),
    });
  });

  test('when a client connects with a forged, expired or revoked token, then the handshake is refused', async () => {
    const user = await member(stack);
    expect((await refusedHandshake(stack, signAccessToken('x'.repeat(40), { id: user.id, role: 'member' }))).code).toBe(
      'UNAUTHORIZED',
    );
    expect(
      (await refusedHandshake(stack, signAccessToken(stack.config.jwtSecret, { id: user.id, role: 'member' }, -10)))
        .message,
    ).toContain('expired');
    expect((await refusedHandshake(stack, 'rbd_not-a-real-display-token')).code).toBe('UNAUTHORIZED');

    const r = await room(stack);
    const displayToken = await issueDisplayToken(stack, staff.token, r.id);
    const tokens = await call(stack, staff, 'GET', `/rooms/${r.id}/display-tokens`);
    const revoked = await call(stack, staff, 'DELETE', `/rooms/${r.id}/display-tokens/${tokens.body.items[0].id}`);
    expect(revoked.status).toBe(204);
    expect((await refusedHandshake(stack, displayToken)).code).toBe('UNAUTHORIZED');
  });

  test("when a display subscribes to another room, then it is refused; to its own room, then it gets the room's status", async () => {
    const own = await room(stack);
    const other = await room(stack);
    const display = await client(await issueDisplayToken(stack, staff.token, own.id));

    expect(await display.request('room:subscribe', { roomId: other.id })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.any(String) },
    });
    const ok = await display.request('room:subscribe', { roomId: own.id });
    expect(ok).toMatchObject({
      ok: true,
      roomId: own.id,
      status: { roomId: own.id, status: 'free', version: expect.any(Number) },
    });

    // Refused subscriptions get no events: a booking in the other room reaches the display not at all.
    const at = clock();
    await book(stack, await member(stack), { roomId: other.id, start: at(3600), end: at(5400) });
    await book(stack, await member(stack), { roomId: own.id, start: at(3600), end: at(5400) });
    await eventually(
      async () => display.of('room.status'),
      (s) => s.length > 0,
    );
    expect(display.of('room.status').map((e) => e.roomId)).toEqual([own.id]);
    expect(display.of('booking.updated').map((e) => e.roomId)).toEqual([own.id]);
    expect(display.socket.connected).toBe(true);
  });

  test('when the access token expires without a refresh, then the server says so and disconnects', async () => {
    const user = await member(stack);
    const c = await client(signAccessToken(stack.config.jwtSecret, { id: user.id, role: 'member' }, 2));
    const reason = await new Promise<string>((resolve) => c.socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
    expect(c.of('auth:expiring')).toHaveLength(1);
    expect(c.of('auth:expired')[0].message).toContain('expired');
  });

  test('when the client refreshes its token before expiry, then the connection stays and events keep coming', async () => {
    const user = await createUser(stack, { role: 'facility_manager' });
    const c = await client(signAccessToken(stack.config.jwtSecret, { id: user.id, role: 'facility_manager' }, 3));
    const r = await room(stack);
    expect((await c.request('room:subscribe', { roomId: r.id })).ok).toBe(true);
    await eventually(
      async () => c.of('auth:expiring'),
      (e) => e.length > 0,
    );

    const someoneElse = await member(stack);
    expect(await c.request('auth:refresh', { token: someoneElse.token })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const refreshed = await c.request('auth:refresh', {
      token: signAccessToken(stack.config.jwtSecret, { id: user.id, role: 'facility_manager' }),
    });
    expect(refreshed).toMatchObject({ ok: true, expiresAt: expect.any(String) });

    // Past the first token's expiry: still connected, still subscribed.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(c.socket.connected).toBe(true);
    expect(c.of('auth:expired')).toHaveLength(0);
    const at = clock();
    const booked = await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(5400) });
    const updates = await eventually(
      async () => c.of('booking.updated'),
      (e) => e.length > 0,
    );
    expect(updates.map((e) => e.booking.id)).toEqual([booked.body.id]);
  });
});
