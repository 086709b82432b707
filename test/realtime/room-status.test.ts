import { roomStatusAt, type RoomBooking, type StatusRoom } from '../../src/domain/room-status';

const room: StatusRoom = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Spree',
  timezone: 'Europe/Berlin',
  status: 'active',
  policy: { requiresCheckIn: true, slotGranularitySeconds: 900, bufferSeconds: 300, maxDurationSeconds: 14400 },
};
const T = Date.parse('2026-12-01T09:00:00Z'); // 10:00 in Berlin
const iso = (minutes: number) => new Date(T + minutes * 60_000).toISOString();
let n = 0;
const booking = (from: number, to: number, extra: Partial<RoomBooking> = {}): RoomBooking => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  title: `Meeting ${n}`,
  organizer: { id: 'o', name: 'Alice' },
  start: iso(from),
  end: iso(to),
  status: 'confirmed',
  checkInOpensAt: iso(from - 5),
  checkInDeadline: iso(from + 10),
  version: 1,
  ...extra,
});

describe('roomStatusAt: what the door display shows', () => {
  test('when nothing is booked, then the room is free for the rest of the day', () => {
    expect(roomStatusAt(room, [], T)).toMatchObject({ status: 'free', freeUntil: null, today: [] });
  });

  test('when the next booking has not opened check-in yet, then the room is free until its start less the buffer', () => {
    const next = booking(30, 60);
    expect(roomStatusAt(room, [next], T)).toMatchObject({
      status: 'free',
      next: { id: next.id },
      today: [{ id: next.id }],
      freeUntil: iso(25),
    });
  });

  test('when the check-in window is open, then the room awaits check-in, before and after the start', () => {
    const b = booking(3, 60);
    expect(roomStatusAt(room, [b], T)).toMatchObject({ status: 'awaiting_check_in', current: { id: b.id } });
    expect(roomStatusAt(room, [b], T + 5 * 60_000).status).toBe('awaiting_check_in');
  });

  test('when someone checked in, or a room without check-in reaches the start, then the room is in use', () => {
    expect(roomStatusAt(room, [booking(-5, 30, { status: 'checked_in' })], T).status).toBe('in_use');
    const open = { ...room, policy: { ...room.policy, requiresCheckIn: false } };
    expect(
      roomStatusAt(open, [booking(-5, 30, { checkInOpensAt: undefined, checkInDeadline: undefined })], T).status,
    ).toBe('in_use');
  });

  test('when a hold or a booking waiting for approval occupies the slot, then the room is reserved', () => {
    expect(roomStatusAt(room, [booking(-5, 30, { status: 'held' })], T).status).toBe('reserved');
    expect(roomStatusAt(room, [booking(-5, 30, { status: 'pending_approval' })], T).status).toBe('reserved');
  });

  test('when bookings end or are no longer active, then they no longer count', () => {
    expect(
      roomStatusAt(room, [booking(-60, 0, { status: 'checked_in' }), booking(-5, 30, { status: 'released' })], T)
        .status,
    ).toBe('free');
  });

  test("when the room is out of service, then that wins; today's list stops at the room's local midnight", () => {
    const late = booking(13 * 60 + 30, 14 * 60); // 23:30 Berlin
    const tomorrow = booking(14 * 60 + 30, 15 * 60); // 00:30 Berlin, next day
    const view = roomStatusAt(
      { ...room, status: 'out_of_service' },
      [tomorrow, late, booking(-5, 30, { status: 'checked_in' })],
      T,
    );
    expect(view.status).toBe('out_of_service');
    expect(view.today.map((b) => b.id)).toEqual([late.id]);
    expect(view.next?.id).toBe(late.id);
  });
});
