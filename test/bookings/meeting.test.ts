import {
  clock,
  book,
  call,
  eventually,
  member,
  notifications,
  room,
  row,
  startBookingStack,
  waitForStatus,
  workflowStatus,
  type BookingStack,
} from './support';
import { stackForSuite } from '../support/stack';

describe('meetings: check-in, check-out, no-shows, reviews', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test('when the organizer checks in, then the booking is checked_in and completes at its end', async () => {
    const at = clock();
    const r = await room(stack, { checkInOpensBeforeSeconds: 10, checkInGraceSeconds: 10 });
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(2), end: at(4) });
    const early = await call(stack, u, 'POST', `/bookings/${booked.body.id}/check-in`, {});
    expect(early.status).toBe(200);
    expect(early.body.status).toBe('checked_in');
    expect(early.body.checkedInAt).toBeDefined();
    expect(await waitForStatus(stack, booked.body.id, 'completed')).toBe('completed');
    expect(
      await eventually(
        () => notifications(stack, booked.body.id),
        (k) => k.includes('completed'),
      ),
    ).toEqual(expect.arrayContaining(['confirmed', 'checked_in', 'completed']));
  });

  test('when someone checks in before the window opens, then 409 INVALID_STATE says when it opens', async () => {
    const at = clock();
    const r = await room(stack, { checkInOpensBeforeSeconds: 60 });
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    const tooEarly = await call(stack, u, 'POST', `/bookings/${booked.body.id}/check-in`, {});
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.error.code).toBe('INVALID_STATE');
    expect(tooEarly.body.error.message).toContain('Check-in opens at');
  });

  test('when a checked-in meeting checks out early, then it completes and the rest of the slot can be booked', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(1), end: at(600) });
    await eventually(
      () => call(stack, u, 'POST', `/bookings/${booked.body.id}/check-in`, {}),
      (res) => res.status === 200,
      5000,
    );
    const out = await call(stack, u, 'POST', `/bookings/${booked.body.id}/check-out`, {});
    expect(out.status).toBe(200);
    expect(out.body.status).toBe('completed');
    expect((await row(stack, booked.body.id)).ended_at).not.toBeNull();

    const rest = await book(stack, await member(stack), { roomId: r.id, start: at(60), end: booked.body.end });
    expect(rest.status).toBe(201);
  });

  test('when nobody checks in by the deadline, then the booking is released and the slot can be booked at once', async () => {
    const at = clock();
    const r = await room(stack, { checkInOpensBeforeSeconds: 1, checkInGraceSeconds: 1 });
    const booked = await book(stack, await member(stack), { roomId: r.id, start: at(1), end: at(600) });
    expect(await waitForStatus(stack, booked.body.id, 'released')).toBe('released');
    const released = await row(stack, booked.body.id);
    expect(released.status_reason).toBe('no check-in before the deadline');
    expect(
      await eventually(
        () => notifications(stack, booked.body.id),
        (k) => k.includes('released'),
      ),
    ).toContain('released');

    const walkIn = await book(stack, await member(stack), { roomId: r.id, start: clock()(1), end: booked.body.end });
    expect(walkIn.status).toBe(201);
  });

  test('when a meeting in a room without check-in ends, then the review prompt goes out and the workflow closes with the review window', async () => {
    const at = clock();
    const r = await room(stack, { requiresCheckIn: false, reviewPromptDelaySeconds: 0, reviewWindowSeconds: 2 });
    const booked = await book(stack, await member(stack), {
      roomId: r.id,
      start: at(1),
      end: at(2),
      attendees: ['guest@example.test'],
    });
    expect(booked.body.checkInDeadline).toBeUndefined();
    expect(await waitForStatus(stack, booked.body.id, 'completed')).toBe('completed');
    const kinds = await eventually(
      () => notifications(stack, booked.body.id),
      (k) => k.includes('review_reminder'),
    );
    expect([...kinds].sort()).toEqual([
      'completed',
      'confirmed',
      'meeting_started',
      'review_prompt',
      'review_reminder',
    ]);
    expect(
      await eventually(
        () => workflowStatus(stack, booked.body.workflowId),
        (s) => s === 'COMPLETED',
      ),
    ).toBe('COMPLETED');
  });
});
