import { randomUUID } from 'node:crypto';
import { followUpWorkflowId } from '../../src/shared/booking-messages';
import { connectClient, type TestClient } from '../realtime/support';
import { byRecipient, mailsOf, mailsWhen, parseInvite, settle, startCatcher } from '../mail/support';
import { createUser } from '../support/fixtures';
import { startWorker, type TestWorker } from '../support/stack';
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
  workflowStatus,
  type BookingStack,
} from './support';

const ACTIVE_QUERY = 'BookingStatus IN ("held","pending_approval","confirmed","checked_in")';

describe('the slot is free the moment a booking stops occupying it, and every move is announced', () => {
  let stack: BookingStack;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    stack = await startBookingStack();
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await stack.stop();
  });

  /** Runs of the workflow id that the Temporal UI would list under an active BookingStatus. */
  const listedActive = async (workflowId: string, runId: string) => {
    const found: string[] = [];
    for await (const w of stack.deps.temporal.workflow.list({
      query: `WorkflowId = "${workflowId}" AND ${ACTIVE_QUERY}`,
    })) {
      if (w.runId === runId) found.push(w.runId);
    }
    return found;
  };

  test('when a member checks in early and checks out before the start, then another member books the same start at once', async () => {
    const at = clock();
    const r = await room(stack, { checkInOpensBeforeSeconds: 60 });
    const organizer = await member(stack);
    const first = await book(stack, organizer, { roomId: r.id, start: at(20), end: at(600) });
    expect(first.status).toBe(201);
    expect((await call(stack, organizer, 'POST', `/bookings/${first.body.id}/check-in`, {})).status).toBe(200);
    const out = await call(stack, organizer, 'POST', `/bookings/${first.body.id}/check-out`, {});
    expect(out.body).toMatchObject({ status: 'completed', statusReason: 'checked out early' });

    const second = await book(stack, await member(stack), { roomId: r.id, start: at(20), end: at(600) });
    expect(second.status).toBe(201);
    expect(second.body.workflowId).toBe(first.body.workflowId);
    // The first booking's review window goes on in its follow-up, not in the slot's workflow.
    expect(
      await eventually(
        () => workflowStatus(stack, followUpWorkflowId(first.body.id)),
        (s) => s !== 'NOT_FOUND',
      ),
    ).not.toBe('NOT_FOUND');
  });

  test('when a booking is moved to another start, then its attendee gets an updated invite, a subscribed client hears booking.updated and room.status, the reminder comes at the new time, and the old run is no longer listed as active', async () => {
    const at = clock();
    const r = await room(stack, { reminderLeadSeconds: 4 });
    const organizer = await member(stack);
    const attendee = await createUser(stack);
    const staff = await createUser(stack, { role: 'facility_manager' });
    const watcher = await connectClient(stack, staff.token);
    clients.push(watcher);
    expect((await watcher.request('room:subscribe', { roomId: r.id })).ok).toBe(true);

    const booked = await book(stack, organizer, {
      roomId: r.id,
      start: at(30),
      end: at(600),
      attendees: [attendee.email],
    });
    expect(booked.status).toBe(201);
    const old = await row(stack, booked.body.id);
    await mailsWhen(booked.body.id, (mails) => byRecipient(mails, 'confirmed').has(attendee.email));

    const moved = await call(stack, organizer, 'PATCH', `/bookings/${booked.body.id}`, { start: at(12), end: at(300) });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      id: booked.body.id,
      start: at(12),
      end: at(300),
      status: 'confirmed',
      sequence: booked.body.sequence + 1,
    });
    expect(moved.body.workflowId).not.toBe(booked.body.workflowId);

    // Every reader: an updated invite, same UID, higher SEQUENCE, the new start.
    const mails = await mailsWhen(booked.body.id, (m) => byRecipient(m, 'rescheduled').has(attendee.email));
    const invite = parseInvite(byRecipient(mails, 'rescheduled').get(attendee.email)![0].calendar!.raw);
    const original = parseInvite(byRecipient(mails, 'confirmed').get(attendee.email)![0].calendar!.raw);
    expect(invite.uid).toBe(original.uid);
    expect(invite.sequence).toBeGreaterThan(original.sequence);
    expect(invite.start).toBe(at(12));

    // The subscribed client: booking.updated with the new start, then the room's status for the new slot.
    await eventually(
      async () => watcher.of('booking.updated'),
      (events) => events.some((e) => e.booking.id === booked.body.id && e.booking.start === at(12)),
    );
    // The new start is 12 s away and check-in opens 30 s before it, so the room shows the booking as
    // the current one, awaiting check-in, at its new start.
    const statusAfterMove = await eventually(
      async () => watcher.of('room.status'),
      (events) =>
        events.some(
          (e) => e.status === 'awaiting_check_in' && e.current?.id === booked.body.id && e.current?.start === at(12),
        ),
    );
    expect(statusAfterMove.length).toBeGreaterThan(0);

    // The old slot's run closed as "moved", never listed under an active status.
    expect(await workflowStatus(stack, booked.body.workflowId, old.run_id)).toBe('COMPLETED');
    expect(
      await eventually(
        () => listedActive(booked.body.workflowId, old.run_id),
        (runs) => runs.length === 0,
      ),
    ).toEqual([]);
    const [oldRun] = await (async () => {
      const out: string[] = [];
      for await (const w of stack.deps.temporal.workflow.list({
        query: `WorkflowId = "${booked.body.workflowId}" AND BookingStatus = "moved"`,
      }))
        out.push(w.runId);
      return [out];
    })();
    expect(oldRun).toContain(old.run_id);

    // The reminder for the new time (lead 4 s: at start - 4 s), once.
    await eventually(
      () => notifications(stack, booked.body.id),
      (kinds) => kinds.includes('reminder'),
      30_000,
    );
    const [{ reminder_sent_at: remindedAt }] = await stack.deps.dataSource.query(
      'SELECT reminder_sent_at FROM bookings WHERE id = $1',
      [booked.body.id],
    );
    expect(Date.parse(remindedAt)).toBeGreaterThanOrEqual(Date.parse(at(12)) - 4000);

    // The old start is free again.
    expect((await book(stack, await member(stack), { roomId: r.id, start: at(300), end: at(400) })).status).toBe(201);

    // The timeline shows the move.
    const timeline = await call(stack, organizer, 'GET', `/bookings/${booked.body.id}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.events.map((e: { what: string }) => e.what)).toEqual(
      expect.arrayContaining(['rescheduled: done', "handed to the new slot's workflow", 'state written']),
    );
  });

  test("when a booking moves to another room, then both rooms hear of it and the old room's slot is free", async () => {
    const at = clock();
    const from = await room(stack);
    const to = await room(stack);
    const organizer = await member(stack);
    const staff = await createUser(stack, { role: 'facility_manager' });
    const booked = await book(stack, organizer, { roomId: from.id, start: at(3600), end: at(5400) });
    const [oldRoom, newRoom] = [await connectClient(stack, staff.token), await connectClient(stack, staff.token)];
    clients.push(oldRoom, newRoom);
    expect((await oldRoom.request('room:subscribe', { roomId: from.id })).ok).toBe(true);
    expect((await newRoom.request('room:subscribe', { roomId: to.id })).ok).toBe(true);
    const moved = await call(stack, organizer, 'PATCH', `/bookings/${booked.body.id}`, { roomId: to.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      id: booked.body.id,
      roomId: to.id,
      start: at(3600),
      end: at(5400),
      status: 'confirmed',
    });
    expect((await row(stack, booked.body.id)).room_id).toBe(to.id);
    // The new room's displays see the booking coming; the old room's see it gone.
    await eventually(
      async () => newRoom.of('room.status'),
      (events) => events.some((e) => e.roomId === to.id && e.next?.id === booked.body.id),
    );
    const oldStatus = await eventually(
      async () => oldRoom.of('room.status'),
      (events) => events.some((e) => e.roomId === from.id),
    );
    expect(oldStatus.filter((e) => e.roomId === from.id).at(-1)!.next?.id).not.toBe(booked.body.id);
    await eventually(
      () => call(stack, organizer, 'GET', `/bookings/${booked.body.id}`),
      (res) => res.body.workflowId === moved.body.workflowId,
    );
    expect((await book(stack, await member(stack), { roomId: from.id, start: at(3600), end: at(5400) })).status).toBe(
      201,
    );
    expect((await book(stack, await member(stack), { roomId: to.id, start: at(3600), end: at(5400) })).status).toBe(
      409,
    );
    // Changes go on in the new room's workflow.
    expect((await call(stack, organizer, 'POST', `/bookings/${booked.body.id}/cancel`, {})).body.status).toBe(
      'cancelled',
    );
  });

  test('when one booking is cancelled five times at once, then one answer is 200 and the others 409 while its workflow closes, never 5xx', async () => {
    const at = clock();
    const r = await room(stack);
    const organizer = await member(stack);
    const booked = await book(stack, organizer, { roomId: r.id, start: at(3600), end: at(5400) });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(stack, organizer, 'POST', `/bookings/${booked.body.id}/cancel`, {})),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409))
      expect(['INVALID_STATE', 'BOOKING_CLOSED']).toContain(refused.body.error.code);
    // And once more after it closed.
    const late = await call(stack, organizer, 'POST', `/bookings/${booked.body.id}/cancel`, {});
    expect(late.status).toBe(409);
  });

  test('when a refused reservation closes its run, then operators can read why from its BookingStatus', async () => {
    const at = clock();
    const r = await room(stack);
    const first = await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(5400) });
    // Overlaps the first with another start: the row is refused by the exclusion constraint.
    const refused = await book(stack, await member(stack), { roomId: r.id, start: at(4000), end: at(5000) });
    expect(refused.status).toBe(409);
    expect(first.status).toBe(201);
    const key = `booking:${r.id}:${at(4000).replace('.000Z', 'Z')}`;
    const statuses = await eventually(
      async () => {
        const out: string[] = [];
        for await (const w of stack.deps.temporal.workflow.list({ query: `WorkflowId = "${key}"` }))
          out.push(String(w.searchAttributes.BookingStatus?.[0]));
        return out;
      },
      (s) => s.includes('refused'),
    );
    expect(statuses).toContain('refused');
  });
});

describe('cancelling while the SMTP server is down', () => {
  let stack: BookingStack;
  let worker: TestWorker | undefined;
  let catcher: Awaited<ReturnType<typeof startCatcher>> | undefined;
  const dir = `${process.env.TEST_MAIL_DIR}-handover-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await startBookingStack();
  });
  afterAll(async () => {
    await worker?.stop();
    await catcher?.stop();
    await stack.stop();
  });

  test('when a booking is cancelled while SMTP is down, then its start is booked again at once and the cancellation mail arrives once when SMTP is back', async () => {
    const first = await startCatcher(dir);
    const port = first.port;
    await first.stop();
    // This stack's own worker cannot reach SMTP; the stack's worker is stopped so only this one runs the workflows.
    await stack.worker.stop();
    worker = await startWorker({ ...stack.config, smtpUrl: `smtp://127.0.0.1:${port}` }, stack.deps);

    const at = clock();
    const r = await room(stack);
    const organizer = await member(stack);
    const booked = await book(stack, organizer, { roomId: r.id, start: at(3600), end: at(5400) });
    expect(booked.status).toBe(201);
    expect((await call(stack, organizer, 'POST', `/bookings/${booked.body.id}/cancel`, {})).status).toBe(200);

    const again = await book(stack, await member(stack), { roomId: r.id, start: at(3600), end: at(5400) });
    expect(again.status).toBe(201);
    expect(await mailsOf(booked.body.id, dir)).toEqual([]);
    expect(
      await eventually(
        () => workflowStatus(stack, followUpWorkflowId(booked.body.id)),
        (s) => s === 'RUNNING',
      ),
    ).toBe('RUNNING');

    catcher = await startCatcher(dir, port);
    await mailsWhen(booked.body.id, (mails) => byRecipient(mails, 'cancelled').size === 1, 90_000, dir);
    await settle(3000);
    const mails = await mailsOf(booked.body.id, dir);
    expect(byRecipient(mails, 'cancelled').get(organizer.email)).toHaveLength(1);
    expect(byRecipient(mails, 'confirmed').get(organizer.email)).toHaveLength(1);
    expect(
      await eventually(
        () => workflowStatus(stack, followUpWorkflowId(booked.body.id)),
        (s) => s === 'COMPLETED',
        30_000,
      ),
    ).toBe('COMPLETED');
  });
});
