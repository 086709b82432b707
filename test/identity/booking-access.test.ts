import type { Principal } from '../../src/domain/principal';
import {
  assertCanActInRoom,
  assertCanChangeBooking,
  assertCanViewBooking,
  canChangeBooking,
  canCheckInBooking,
  canViewBooking,
} from '../../src/domain/booking-access';
import { AppError } from '../../src/domain/errors';

const booking = { organizerId: 'u-organizer', attendees: ['Guest@Example.test'], roomId: 'room-a' };
const member = (userId: string): Principal => ({ kind: 'user', userId, role: 'member' });
const organizer = member('u-organizer');
const attendee = member('u-guest');
const stranger = member('u-stranger');
const manager: Principal = { kind: 'user', userId: 'u-fm', role: 'facility_manager' };
const admin: Principal = { kind: 'user', userId: 'u-admin', role: 'admin' };
const displayA: Principal = { kind: 'display', displayTokenId: 't-a', roomId: 'room-a', role: 'display' };
const displayB: Principal = { kind: 'display', displayTokenId: 't-b', roomId: 'room-b', role: 'display' };

const statusOf = (fn: () => void): number | 'ok' => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return err.status;
    throw err;
  }
};

describe('booking access (object level)', () => {
  test('when the organizer, an attendee (email in any case), a facility manager, an admin or the room display looks, then they see the booking', () => {
    expect(canViewBooking(organizer, booking)).toBe(true);
    expect(canViewBooking(attendee, booking, 'guest@example.test')).toBe(true);
    expect(canViewBooking(manager, booking)).toBe(true);
    expect(canViewBooking(admin, booking)).toBe(true);
    expect(canViewBooking(displayA, booking)).toBe(true);
  });

  test("when another member or another room's display looks, then they cannot see it and get 404, not 403", () => {
    expect(canViewBooking(stranger, booking, 'stranger@example.test')).toBe(false);
    expect(canViewBooking(displayB, booking)).toBe(false);
    expect(statusOf(() => assertCanViewBooking(stranger, booking, 'stranger@example.test'))).toBe(404);
    expect(statusOf(() => assertCanChangeBooking(stranger, booking, 'stranger@example.test'))).toBe(404);
    expect(statusOf(() => assertCanViewBooking(displayB, booking))).toBe(404);
  });

  test('when someone tries to change it, then only the organizer and staff may; an attendee or the display gets 403', () => {
    expect(canChangeBooking(organizer, booking)).toBe(true);
    expect(canChangeBooking(manager, booking)).toBe(true);
    expect(canChangeBooking(admin, booking)).toBe(true);
    expect(statusOf(() => assertCanChangeBooking(organizer, booking))).toBe('ok');
    expect(statusOf(() => assertCanChangeBooking(attendee, booking, 'guest@example.test'))).toBe(403);
    expect(statusOf(() => assertCanChangeBooking(displayA, booking))).toBe(403);
  });

  test('when someone checks in, then the organizer, an attendee and the room display may, another member may not', () => {
    expect(canCheckInBooking(organizer, booking)).toBe(true);
    expect(canCheckInBooking(attendee, booking, 'guest@example.test')).toBe(true);
    expect(canCheckInBooking(displayA, booking)).toBe(true);
    expect(canCheckInBooking(stranger, booking, 'stranger@example.test')).toBe(false);
    expect(canCheckInBooking(displayB, booking)).toBe(false);
  });

  test('when a display acts in a room, then only its own room is allowed; people are not restricted by room', () => {
    expect(statusOf(() => assertCanActInRoom(displayA, 'room-a'))).toBe('ok');
    expect(statusOf(() => assertCanActInRoom(displayA, 'room-b'))).toBe(403);
    expect(statusOf(() => assertCanActInRoom(stranger, 'room-b'))).toBe('ok');
  });
});
