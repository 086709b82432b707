import { createUser } from '../support/fixtures';
import {
  book,
  call,
  clock,
  eventually,
  member,
  notifications,
  room,
  row,
  startBookingStack,
  statusOf,
  waitForStatus,
  workflowState,
  workflowStatus,
  type BookingStack,
} from './support';
import { stackForSuite } from '../support/stack';

describe("a booking's life, driven by its workflow on the real server", () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test('when a hold is confirmed, then it is confirmed in the workflow and the read model, and the hold timer no longer applies', async () => {
    const at = clock();
    const r = await room(stack, { holdTtlSeconds: 2 });
    const u = await member(stack);
    const held = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400), mode: 'hold' });
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ status: 'held', roomId: r.id, organizerId: u.id });
    expect(Date.parse(held.body.holdExpiresAt) - Date.parse(held.body.createdAt)).toBeGreaterThanOrEqual(1900);
    expect(held.body.workflowId).toBe(`booking:${r.id}:${held.body.start.replace('.000Z', 'Z')}`);

    const confirmed = await call(stack, u, 'POST', `/bookings/${held.body.id}/confirm`, {});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('confirmed');
    expect(confirmed.body.holdExpiresAt).toBeUndefined();
    expect(await statusOf(stack, held.body.id)).toBe('confirmed');

    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await statusOf(stack, held.body.id)).toBe('confirmed');
    expect((await workflowState(stack, held.body.workflowId)).status).toBe('confirmed');
  });

  test('when a hold is not confirmed in time, then it expires and the slot can be booked again', async () => {
    const at = clock();
    const r = await room(stack, { holdTtlSeconds: 1 });
    const u = await member(stack);
    const slot = { roomId: r.id, start: at(3600), end: at(7200) };
    const held = await book(stack, u, { ...slot, mode: 'hold' });
    expect(held.body.status).toBe('held');

    expect(await waitForStatus(stack, held.body.id, 'expired')).toBe('expired');
    expect((await row(stack, held.body.id)).status_reason).toBe('hold not confirmed in time');
    expect(
      await eventually(
        () => notifications(stack, held.body.id),
        (k) => k.length === 2,
      ),
    ).toEqual(['hold_created', 'expired']);

    const again = await book(stack, await member(stack), slot);
    expect(again.status).toBe(201);
    expect(again.body.status).toBe('confirmed');
  });

  test('when a room needs approval, then a booking waits as pending_approval until a facility manager approves it', async () => {
    const at = clock();
    const r = await room(stack, { requiresApproval: true });
    const u = await member(stack);
    const fm = await createUser(stack, { role: 'facility_manager' });
    const pending = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    expect(pending.body.status).toBe('pending_approval');

    const byMember = await call(stack, u, 'POST', `/bookings/${pending.body.id}/approve`, {});
    expect(byMember.status).toBe(403);

    const approved = await call(stack, fm, 'POST', `/bookings/${pending.body.id}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('confirmed');
    expect(
      await eventually(
        () => notifications(stack, pending.body.id),
        (k) => k.length === 2,
      ),
    ).toEqual(['pending_approval', 'approved']);
  });

  test('when a facility manager rejects a pending booking, then it is rejected with the reason and the slot is free', async () => {
    const at = clock();
    const r = await room(stack, { requiresApproval: true });
    const u = await member(stack);
    const fm = await createUser(stack, { role: 'facility_manager' });
    const slot = { roomId: r.id, start: at(3600), end: at(5400) };
    const pending = await book(stack, u, slot);
    const rejected = await call(stack, fm, 'POST', `/bookings/${pending.body.id}/reject`, {
      reason: 'Board meeting that day',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', statusReason: 'Board meeting that day' });
    expect(
      await eventually(
        () => workflowStatus(stack, pending.body.workflowId),
        (st) => st === 'COMPLETED',
      ),
    ).toBe('COMPLETED');
    expect((await book(stack, u, slot)).status).toBe(201);
  });

  test('when nobody approves in time, then the pending booking expires', async () => {
    const at = clock();
    const r = await room(stack, { requiresApproval: true, approvalTimeoutSeconds: 1 });
    const pending = await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(5400) });
    expect(await waitForStatus(stack, pending.body.id, 'expired')).toBe('expired');
    expect((await row(stack, pending.body.id)).status_reason).toBe('not approved in time');
  });

  test('when a booking is cancelled before its start, then it is cancelled, the workflow closes and the same slot can be booked at once', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const slot = { roomId: r.id, start: at(3600), end: at(5400) };
    const booked = await book(stack, u, slot);
    const cancelled = await call(stack, u, 'POST', `/bookings/${booked.body.id}/cancel`, { reason: 'plans changed' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusReason: 'plans changed', sequence: 1 });

    const rebooked = await book(stack, await member(stack), slot);
    expect(rebooked.status).toBe(201);
    expect(rebooked.body.workflowId).toBe(booked.body.workflowId);
    expect(await workflowStatus(stack, booked.body.workflowId, (await row(stack, booked.body.id)).run_id)).toBe(
      'COMPLETED',
    );
  });

  test('when the reminder time comes, then the reminder is sent once and recorded', async () => {
    const at = clock();
    const r = await room(stack, { reminderLeadSeconds: 2, checkInOpensBeforeSeconds: 1 });
    const booked = await book(stack, await member(stack), { roomId: r.id, start: at(4), end: at(3600) });
    const sent = await eventually(
      () => row(stack, booked.body.id),
      (b) => Boolean(b.reminder_sent_at),
    );
    expect(sent.reminder_sent_at).not.toBeNull();
    expect(Date.parse(sent.reminder_sent_at)).toBeLessThan(Date.parse(booked.body.start));
    const kinds = await eventually(
      () => notifications(stack, booked.body.id),
      (k) => k.includes('reminder'),
    );
    expect(kinds.filter((k) => k === 'reminder')).toEqual(['reminder']);
  });
});
