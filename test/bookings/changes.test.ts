import {
  clock,
  book,
  call,
  eventually,
  member,
  room,
  row,
  startBookingStack,
  workflowState,
  workflowStatus,
  type BookingStack,
} from './support';
import { stackForSuite } from '../support/stack';

describe('changing a booking: extend and reschedule', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test('when the room is free after the booking, then extend moves the end and bumps the sequence', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    const extended = await call(stack, u, 'POST', `/bookings/${booked.body.id}/extend`, { end: at(7200) });
    expect(extended.status).toBe(200);
    expect(extended.body).toMatchObject({ end: at(7200), sequence: 1 });
    expect(new Date((await row(stack, booked.body.id)).end_at).toISOString()).toBe(at(7200));
  });

  test('when another booking follows, then extending into it is refused with the conflicting interval and nothing changes', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const first = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    const next = await book(stack, await member(stack), { roomId: r.id, start: at(5400), end: at(7200) });
    expect(next.status).toBe(201);
    const refused = await call(stack, u, 'POST', `/bookings/${first.body.id}/extend`, { end: at(6000) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SLOT_CONFLICT');
    expect(refused.body.error.details).toMatchObject({
      conflictingBookingId: next.body.id,
      start: at(5400),
      end: at(7200),
    });
    expect(new Date((await row(stack, first.body.id)).end_at).toISOString()).toBe(at(5400));
    expect((await workflowState(stack, first.body.workflowId)).end).toBe(at(5400));
  });

  test('when a booking is rescheduled to a free slot, then it moves to the workflow of the new slot and the old slot is free', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    const moved = await call(stack, u, 'PATCH', `/bookings/${booked.body.id}`, { start: at(9000), end: at(10800) });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: booked.body.id, start: at(9000), end: at(10800), status: 'confirmed' });
    expect(moved.body.workflowId).toBe(`booking:${r.id}:${at(9000).replace('.000Z', 'Z')}`);

    const after = await row(stack, booked.body.id);
    expect(after.workflow_id).toBe(moved.body.workflowId);
    expect(after.previous_workflow_ids).toEqual([booked.body.workflowId]);
    expect(
      await eventually(
        () => workflowStatus(stack, booked.body.workflowId),
        (st) => st === 'COMPLETED',
      ),
    ).toBe('COMPLETED');
    expect((await workflowState(stack, moved.body.workflowId)).status).toBe('confirmed');

    const oldSlot = await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(5400) });
    expect(oldSlot.status).toBe(201);

    const cancelled = await call(stack, u, 'POST', `/bookings/${booked.body.id}/cancel`, {});
    expect(cancelled.body.status).toBe('cancelled');
  });

  test('when the new slot is taken, then the reschedule is refused and the booking keeps its old slot', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    await book(stack, await member(stack), { roomId: r.id, start: at(9000), end: at(10800) });
    const refused = await call(stack, u, 'PATCH', `/bookings/${booked.body.id}`, { start: at(9900), end: at(11700) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SLOT_CONFLICT');
    const kept = await row(stack, booked.body.id);
    expect(new Date(kept.start_at).toISOString()).toBe(at(3600));
    expect(kept.workflow_id).toBe(booked.body.workflowId);
    expect((await workflowState(stack, booked.body.workflowId)).status).toBe('confirmed');
    const other = await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(5400) });
    expect(other.status).toBe(409);
  });

  test('when the slot and the title change in one PATCH, then both move together; when the new slot is taken, then neither changes', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    const moved = await call(stack, u, 'PATCH', `/bookings/${booked.body.id}`, {
      start: at(7200),
      end: at(9000),
      title: 'Moved and renamed',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ start: at(7200), title: 'Moved and renamed' });
    expect((await row(stack, booked.body.id)).title).toBe('Moved and renamed');

    await book(stack, await member(stack), { roomId: r.id, start: at(10800), end: at(12600) });
    const refused = await call(stack, u, 'PATCH', `/bookings/${booked.body.id}`, {
      start: at(10800),
      end: at(12600),
      title: 'Should not stick',
    });
    expect(refused.status).toBe(409);
    const kept = await row(stack, booked.body.id);
    expect(kept.title).toBe('Moved and renamed');
    expect(new Date(kept.start_at).toISOString()).toBe(at(7200));
  });

  test('when title and attendees change, then the booking keeps its slot and its sequence grows', async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
    const changed = await call(stack, u, 'PATCH', `/bookings/${booked.body.id}`, {
      title: 'Quarterly review',
      attendees: ['Ana@Example.test'],
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      title: 'Quarterly review',
      attendees: ['ana@example.test'],
      sequence: 1,
      start: booked.body.start,
    });
  });

  test("when the timeline is asked for, then it tells the booking's life in plain terms", async () => {
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const booked = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400), mode: 'hold' });
    await call(stack, u, 'POST', `/bookings/${booked.body.id}/confirm`, {});
    await call(stack, u, 'POST', `/bookings/${booked.body.id}/cancel`, { reason: 'no longer needed' });
    const timeline = await eventually(
      () => call(stack, u, 'GET', `/bookings/${booked.body.id}/timeline`),
      (res) => res.body.events?.some((e: { what: string }) => e.what === 'workflow closed'),
    );
    expect(timeline.status).toBe(200);
    const what = timeline.body.events.map((e: { what: string }) => e.what);
    expect(what).toEqual(
      expect.arrayContaining([
        'workflow started',
        'reservation requested: done',
        'hold confirmed: done',
        'cancelled: done',
        'workflow closed',
      ]),
    );
  });
});
