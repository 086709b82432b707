import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config';
import type { RoomPolicy } from '../../src/shared/booking';
import { book, call, clock, member, room, waitForStatus, type BookingStack } from '../bookings/support';
import type { TestRoom, TestUser } from '../support/fixtures';
import { startStackWithWorker } from '../support/stack';

export { call, eventually, member, notifications, room, workflowStatus, type BookingStack } from '../bookings/support';
export { createUser } from '../support/fixtures';

/** The booking stack, with a banned-terms list of the test's own (as REVIEW_BANNED_TERMS would set it). */
export function startReviewStack(overrides: Partial<Config> = {}): Promise<BookingStack> {
  return startStackWithWorker({
    reviews: { bannedTerms: ['casino', 'free money', 'flibbertigibbet'] },
    ...overrides,
  });
}

/**
 * A room without check-in, so a meeting completes by itself at its end; the review window is long
 * enough for a test's steps. In a building of its own: rated rooms rank first in searches, and
 * other files' searches of the fixtures' default building must not be crowded by them.
 */
export const reviewRoom = (stack: BookingStack, policy: Partial<RoomPolicy> = {}) =>
  room(
    stack,
    { requiresCheckIn: false, reviewPromptDelaySeconds: 0, reviewWindowSeconds: 60, ...policy },
    { building: 'Review Lab' },
  );

export interface Meeting {
  room: TestRoom;
  organizer: TestUser;
  attendees: TestUser[];
  booking: { id: string; workflowId: string; [key: string]: unknown };
}

/** A one-second meeting that has completed: its organizer and registered attendees may review it. */
export async function completedMeeting(
  stack: BookingStack,
  opts: { room?: TestRoom; attendees?: number; policy?: Partial<RoomPolicy> } = {},
): Promise<Meeting> {
  const r = opts.room ?? (await reviewRoom(stack, opts.policy));
  const organizer = await member(stack);
  const attendees = await Promise.all(Array.from({ length: opts.attendees ?? 1 }, () => member(stack)));
  const at = clock();
  const booked = await book(stack, organizer, {
    roomId: r.id,
    start: at(1),
    end: at(2),
    attendees: attendees.map((a) => a.email),
  });
  if (booked.status !== 201) throw new Error(`booking refused: ${JSON.stringify(booked.body)}`);
  const status = await waitForStatus(stack, booked.body.id, 'completed');
  if (status !== 'completed') throw new Error(`booking did not complete: ${status}`);
  return { room: r, organizer, attendees, booking: booked.body };
}

export const review = (stack: BookingStack, user: TestUser, bookingId: string, body: unknown) =>
  call(stack, user, 'POST', `/bookings/${bookingId}/reviews`, body);

export const rating = (stack: BookingStack, user: TestUser, roomId: string) =>
  call(stack, user, 'GET', `/rooms/${roomId}/rating`);

export async function reviewCount(
  stack: BookingStack,
  where: { bookingId?: string; roomId?: string },
): Promise<number> {
  const [row] = await stack.deps.dataSource.query(
    'SELECT count(*)::int AS n FROM reviews WHERE ($1::uuid IS NULL OR booking_id = $1) AND ($2::uuid IS NULL OR room_id = $2)',
    [where.bookingId ?? null, where.roomId ?? null],
  );
  return row.n;
}

/** Messages the run's SMTP sink received that contain the text. */
export function mailsContaining(text: string): string[] {
  const dir = process.env.TEST_MAIL_DIR;
  if (!dir) throw new Error('TEST_MAIL_DIR is not set: run with npm test');
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .filter((content) => content.includes(text));
}
