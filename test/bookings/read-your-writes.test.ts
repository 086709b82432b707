import { randomUUID } from 'node:crypto';
import { book, call, clock, member, room, startBookingStack, type BookingStack } from './support';
import { stackForSuite } from '../support/stack';

describe('availability after booking changes (read-your-writes through the cache)', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  // A building of its own: other test files' rooms must not push this one off the page.
  const building = `Annex ${randomUUID().slice(0, 8)}`;
  const freeInSearch = async (user: Awaited<ReturnType<typeof member>>, roomId: string, from: string, to: string) => {
    const res = await call(
      stack,
      user,
      'GET',
      `/availability?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&building=${encodeURIComponent(building)}`,
    );
    expect(res.status).toBe(200);
    return res.body.rooms.some((r: { id: string }) => r.id === roomId);
  };

  test('when a room is booked and then cancelled, then a search made at once sees each change', async () => {
    const at = clock(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
    const r = await room(stack, { slotGranularitySeconds: 900 }, { building });
    const u = await member(stack);
    const [from, to] = [at(7200), at(9000)];
    expect(await freeInSearch(u, r.id, from, to)).toBe(true);
    expect(await freeInSearch(u, r.id, from, to)).toBe(true);

    const booked = await book(stack, u, { roomId: r.id, start: from, end: to });
    expect(booked.status).toBe(201);
    expect(await freeInSearch(u, r.id, from, to)).toBe(false);

    await call(stack, u, 'POST', `/bookings/${booked.body.id}/cancel`, {});
    expect(await freeInSearch(u, r.id, from, to)).toBe(true);
  });
});
