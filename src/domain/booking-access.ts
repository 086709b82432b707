import { isStaff, type Principal } from './principal';
import { forbidden, notFound } from './errors';

/**
 * Object-level authorization for bookings, decided here and nowhere else.
 *
 * Someone who may not see a booking gets 404, exactly as if the id did not exist: a 403 would
 * confirm that the id is a booking, and ids must not be probeable. Someone who may see it but not
 * change it (an attendee, the room's display) gets 403 for the change.
 */
export interface BookingParties {
  organizerId: string;
  /** Attendees' emails, as written on the booking. */
  attendees: readonly string[];
  roomId: string;
}

const isOrganizer = (p: Principal, b: BookingParties): boolean => p.kind === 'user' && p.userId === b.organizerId;
const isAttendee = (b: BookingParties, email?: string): boolean =>
  email !== undefined && b.attendees.some((a) => a.trim().toLowerCase() === email.trim().toLowerCase());

/** Organizer, attendees (by the caller's email), facility managers, admins, and the display of the booking's room. */
export function canViewBooking(principal: Principal, booking: BookingParties, principalEmail?: string): boolean {
  if (principal.kind === 'display') return principal.roomId === booking.roomId;
  return isStaff(principal) || isOrganizer(principal, booking) || isAttendee(booking, principalEmail);
}

/** Cancel, edit, extend, reschedule, confirm a hold, check out: the organizer, facility managers and admins. */
export function canChangeBooking(principal: Principal, booking: BookingParties): boolean {
  return isStaff(principal) || isOrganizer(principal, booking);
}

/** Check-in: the organizer, staff, an attendee (they are the ones at the door), or the room's own display. */
export function canCheckInBooking(principal: Principal, booking: BookingParties, principalEmail?: string): boolean {
  return canViewBooking(principal, booking, principalEmail);
}

/** Throws 404 when the caller may not see the booking. */
export function assertCanViewBooking(principal: Principal, booking: BookingParties, principalEmail?: string): void {
  if (!canViewBooking(principal, booking, principalEmail)) throw notFound('Booking');
}

/** Throws 404 when the caller may not see the booking, 403 when they may see but not change it. */
export function assertCanChangeBooking(principal: Principal, booking: BookingParties, principalEmail?: string): void {
  assertCanViewBooking(principal, booking, principalEmail);
  if (!canChangeBooking(principal, booking))
    throw forbidden('Only the organizer, a facility manager or an admin may change this booking.');
}

/** Throws 404 when the caller may not check in (whoever may see a booking may check in to it). */
export function assertCanCheckInBooking(principal: Principal, booking: BookingParties, principalEmail?: string): void {
  if (!canCheckInBooking(principal, booking, principalEmail)) throw notFound('Booking');
}

/**
 * Display devices are bound to one room: they may act on that room only. People are not
 * restricted here (function-level roles still apply).
 */
export function canActInRoom(principal: Principal, roomId: string): boolean {
  return principal.kind !== 'display' || principal.roomId === roomId;
}

/** Throws 403 when a display device reaches for another room. */
export function assertCanActInRoom(principal: Principal, roomId: string): void {
  if (!canActInRoom(principal, roomId)) throw forbidden('This display token is bound to another room.');
}
