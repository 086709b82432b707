import { WithStartWorkflowOperation } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import {
  bookingWorkflowId,
  reserveUpdate,
  type BookingEvent,
  type BookingWorkflowInput,
} from '../../src/shared/booking-messages';
import { searchAttributesForBooking } from '../../src/shared/search-attributes';
import { bookingWorkflow } from '../../src/workflows/booking';
import {
  book,
  call,
  clock,
  member,
  room,
  startBookingStack,
  waitForStatus,
  type BookingStack,
} from '../bookings/support';
import { byRecipient, linkIn, mailsWhen, parseInvite, settle, type CapturedMail } from './support';
import { stackForSuite } from '../support/stack';

/** A slot days ahead at a whole UTC hour, so local times are easy to name. */
function slotAhead(days: number, hourUtc: number, minutes = 60): { start: string; end: string } {
  const start = new Date(Date.now() + days * 86_400_000);
  start.setUTCHours(hourUtc, 0, 0, 0);
  return { start: start.toISOString(), end: new Date(start.getTime() + minutes * 60_000).toISOString() };
}

const guestEmail = () => `guest-${randomUUID().slice(0, 8)}@example.test`;
const only = (mails: CapturedMail[], kind: string) => mails.filter((m) => m.kind === kind);
/** The kinds of every booking mail the workflow asked for, from its history. */
async function mailKindsScheduledIn(stack: BookingStack, workflowId: string): Promise<string[]> {
  const history = await stack.deps.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === 'sendBookingMail')
    .map((a) => (defaultPayloadConverter.fromPayload(a!.input!.payloads![0]) as BookingEvent).kind);
}

const recipients = (mails: CapturedMail[], kind: string) => [...byRecipient(mails, kind).keys()].sort();

describe('mail through the booking life', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test('when a booking is confirmed, then the organizer and every attendee get one confirmation with a METHOD:REQUEST invite of the booking', async () => {
    const r = await room(stack, {}, { timezone: 'Europe/Berlin', name: `Fjord ${randomUUID().slice(0, 6)}` });
    const organizer = await member(stack, { timezone: 'Europe/Berlin' });
    const colleague = await member(stack, { timezone: 'Europe/Berlin' });
    const guest = guestEmail();
    const slot = slotAhead(3, 9);
    const booked = await book(stack, organizer, {
      roomId: r.id,
      ...slot,
      title: 'Quarterly planning',
      attendees: [colleague.email, guest],
    });
    expect(booked.status).toBe(201);

    const mails = await mailsWhen(booked.body.id, (m) => only(m, 'confirmed').length >= 3);
    await settle();
    const confirmed = only(await mailsWhen(booked.body.id, () => true), 'confirmed');
    expect(recipients(confirmed, 'confirmed')).toEqual([organizer.email, colleague.email, guest].sort());
    expect(confirmed).toHaveLength(3);
    expect(mails.filter((m) => m.kind !== 'confirmed')).toEqual([]);

    for (const mail of confirmed) {
      expect(mail.subject).toBe('Confirmed: Quarterly planning');
      expect(mail.text).toContain(r.name);
      expect(mail.html).toContain(r.name);
      expect(mail.calendar?.method).toBe('REQUEST');
      const invite = parseInvite(mail.calendar!.raw);
      expect(invite).toMatchObject({
        method: 'REQUEST',
        uid: `${booked.body.id}@roombook`,
        sequence: booked.body.sequence,
        status: 'CONFIRMED',
        start: slot.start,
        end: slot.end,
        summary: 'Quarterly planning',
        organizer: `mailto:${organizer.email}`,
      });
      expect(invite.attendees.sort()).toEqual([`mailto:${colleague.email}`, `mailto:${guest}`].sort());
      // Confirmations always go: no unsubscribe link.
      expect(mail.text).not.toContain('Unsubscribe');
      expect(mail.header('list-unsubscribe')).toBeUndefined();
    }
    expect(new Set(confirmed.map((m) => m.messageId)).size).toBe(3);
  });

  test('when readers in Asia/Tokyo and America/New_York get the same booking, then each sees it in their own local time with the zone named, and a guest in the room zone', async () => {
    const r = await room(stack, {}, { timezone: 'Europe/Berlin' });
    const tokyo = await member(stack, { timezone: 'Asia/Tokyo' });
    const newYork = await member(stack, { timezone: 'America/New_York' });
    const guest = guestEmail();
    const slot = slotAhead(4, 9);
    const booked = await book(stack, newYork, { roomId: r.id, ...slot, attendees: [tokyo.email, guest] });
    const mails = byRecipient(await mailsWhen(booked.body.id, (m) => only(m, 'confirmed').length >= 3), 'confirmed');

    const hourIn = (timeZone: string) =>
      new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(slot.start));
    const tokyoText = mails.get(tokyo.email)![0].text;
    expect(tokyoText).toMatch(/When:\s+\w{3} \d{1,2} \w{3} \d{4}, 18:00–19:00 \(Asia\/Tokyo, GMT\+9\)/);
    expect(mails.get(tokyo.email)![0].html).toContain('18:00–19:00 (Asia/Tokyo, GMT+9)');

    const nyText = mails.get(newYork.email)![0].text;
    const nyHour = hourIn('America/New_York');
    expect(['04', '05']).toContain(nyHour);
    expect(nyText).toContain(
      `${nyHour}:00–${String(Number(nyHour) + 1).padStart(2, '0')}:00 (America/New_York, GMT-${nyHour === '04' ? 5 : 4})`,
    );
    expect(nyText).not.toContain('18:00');

    const guestText = mails.get(guest)![0].text;
    expect(guestText).toContain(`${hourIn('Europe/Berlin')}:00–`);
    expect(guestText).toContain('(Europe/Berlin, GMT+');
  });

  test('when a confirmed booking is extended and then cancelled, then everyone gets an updated invite with a higher SEQUENCE and then a METHOD:CANCEL', async () => {
    const r = await room(stack);
    const organizer = await member(stack);
    const attendee = guestEmail();
    const slot = slotAhead(5, 10);
    const booked = await book(stack, organizer, { roomId: r.id, ...slot, attendees: [attendee] });
    await mailsWhen(booked.body.id, (m) => only(m, 'confirmed').length >= 2);

    const longer = new Date(Date.parse(slot.end) + 30 * 60_000).toISOString();
    const extended = await call(stack, organizer, 'POST', `/bookings/${booked.body.id}/extend`, { end: longer });
    expect(extended.status).toBe(200);
    const changed = only(await mailsWhen(booked.body.id, (m) => only(m, 'rescheduled').length >= 2), 'rescheduled');
    expect(changed.map((m) => m.envelopeTo[0]).sort()).toEqual([organizer.email, attendee].sort());
    for (const mail of changed) {
      const invite = parseInvite(mail.calendar!.raw);
      expect(invite).toMatchObject({
        method: 'REQUEST',
        uid: `${booked.body.id}@roombook`,
        sequence: extended.body.sequence,
        end: longer,
      });
      expect(invite.sequence).toBeGreaterThan(booked.body.sequence);
      expect(mail.subject).toMatch(/^Changed: /);
    }

    const cancelled = await call(stack, organizer, 'POST', `/bookings/${booked.body.id}/cancel`, {
      reason: 'moved online',
    });
    expect(cancelled.status).toBe(200);
    const cancels = only(await mailsWhen(booked.body.id, (m) => only(m, 'cancelled').length >= 2), 'cancelled');
    expect(cancels.map((m) => m.envelopeTo[0]).sort()).toEqual([organizer.email, attendee].sort());
    for (const mail of cancels) {
      expect(mail.calendar?.method).toBe('CANCEL');
      const invite = parseInvite(mail.calendar!.raw);
      expect(invite).toMatchObject({
        method: 'CANCEL',
        uid: `${booked.body.id}@roombook`,
        status: 'CANCELLED',
        sequence: cancelled.body.sequence,
      });
      expect(invite.sequence).toBeGreaterThan(extended.body.sequence);
      expect(mail.text).toContain('moved online');
    }
  });

  test('when an attendee is taken off a confirmed booking, then they get a cancellation and the others an updated invite', async () => {
    const r = await room(stack);
    const organizer = await member(stack);
    const staying = guestEmail();
    const leaving = guestEmail();
    const booked = await book(stack, organizer, { roomId: r.id, ...slotAhead(6, 11), attendees: [staying, leaving] });
    await mailsWhen(booked.body.id, (m) => only(m, 'confirmed').length >= 3);

    const edited = await call(stack, organizer, 'PATCH', `/bookings/${booked.body.id}`, { attendees: [staying] });
    expect(edited.status).toBe(200);
    const mails = await mailsWhen(booked.body.id, (m) => only(m, 'rescheduled').length >= 3);
    await settle();
    const changes = byRecipient(await mailsWhen(booked.body.id, () => true), 'rescheduled');
    expect([...changes.keys()].sort()).toEqual([organizer.email, staying, leaving].sort());
    expect(changes.get(leaving)).toHaveLength(1);
    expect(parseInvite(changes.get(leaving)![0].calendar!.raw)).toMatchObject({
      method: 'CANCEL',
      status: 'CANCELLED',
      sequence: edited.body.sequence,
    });
    expect(parseInvite(changes.get(staying)![0].calendar!.raw)).toMatchObject({
      method: 'REQUEST',
      sequence: edited.body.sequence,
    });
    expect(mails.length).toBeGreaterThan(0);
  });

  test('when callers hold a slot for themselves, then no mail tells them of the hold: only its expiry, or its confirmation, is mailed', async () => {
    const r = await room(stack, { holdTtlSeconds: 2 });
    const organizer = await member(stack);
    const attendee = guestEmail();
    const expiring = await book(stack, organizer, {
      roomId: r.id,
      ...slotAhead(7, 9),
      attendees: [attendee],
      mode: 'hold',
    });
    const confirming = await book(stack, organizer, {
      roomId: r.id,
      ...slotAhead(7, 11),
      attendees: [attendee],
      mode: 'hold',
    });
    expect([expiring.body.status, confirming.body.status]).toEqual(['held', 'held']);
    expect((await call(stack, organizer, 'POST', `/bookings/${confirming.body.id}/confirm`, {})).body.status).toBe(
      'confirmed',
    );
    expect(await waitForStatus(stack, expiring.body.id, 'expired')).toBe('expired');

    await mailsWhen(expiring.body.id, (m) => only(m, 'expired').length >= 1);
    await mailsWhen(confirming.body.id, (m) => only(m, 'confirmed').length >= 2);
    // The workflow decides what to mail when it reserves: its history shows no hold mail was ever asked for.
    for (const b of [expiring.body, confirming.body])
      expect(await mailKindsScheduledIn(stack, b.workflowId)).not.toContain('hold_created');
    await settle();
    const kinds = async (id: string) =>
      (await mailsWhen(id, () => true)).map((m) => `${m.kind}:${m.envelopeTo.join(',')}`).sort();
    expect(await kinds(expiring.body.id)).toEqual([`expired:${organizer.email}`]);
    expect(await kinds(confirming.body.id)).toEqual([`confirmed:${attendee}`, `confirmed:${organizer.email}`].sort());
    // Displays and followers still hear of the hold.
    const [{ n }] = await stack.deps.dataSource.query(
      "SELECT count(*)::int AS n FROM booking_notifications WHERE booking_id = $1 AND kind = 'hold_created'",
      [expiring.body.id],
    );
    expect(n).toBe(1);
  });

  test('when a hold is offered to someone (as a waitlist offer is), then they get the hold by mail with its expiry time, and only they', async () => {
    const r = await room(stack, { holdTtlSeconds: 600 });
    const organizer = await member(stack, { timezone: 'Asia/Tokyo' });
    const slot = slotAhead(7, 13);
    const input: BookingWorkflowInput = {
      bookingId: randomUUID(),
      roomId: r.id,
      roomName: r.name,
      roomTimezone: r.timezone,
      organizerId: organizer.id,
      organizerLabel: organizer.email,
      title: 'Offered slot',
      attendees: [guestEmail()],
      ...slot,
      policy: r.policy,
      createdAt: new Date().toISOString(),
    };
    const workflowId = bookingWorkflowId(r.id, slot.start);
    const held = await stack.deps.temporal.workflow.executeUpdateWithStart(reserveUpdate, {
      args: [{ bookingId: input.bookingId, mode: 'hold', offered: true }],
      startWorkflowOperation: new WithStartWorkflowOperation(bookingWorkflow, {
        workflowId,
        taskQueue: stack.config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: searchAttributesForBooking(input, 'requested'),
      }),
    });
    expect(held.status).toBe('held');

    const mails = await mailsWhen(input.bookingId, (m) => only(m, 'hold_created').length >= 1);
    await settle();
    const all = await mailsWhen(input.bookingId, () => true);
    expect(all.map((m) => `${m.kind}:${m.envelopeTo.join(',')}`)).toEqual([`hold_created:${organizer.email}`]);
    const hold = only(mails, 'hold_created')[0];
    expect(hold.text).toMatch(/Hold expires:\s+.*\(Asia\/Tokyo, GMT\+9\)/);
    expect(hold.calendar).toBeUndefined();
  });

  test('when a booking needs approval, then facility managers get approve/reject links, the organizer hears it waits, and approving through the link confirms it with invites', async () => {
    const r = await room(stack, { requiresApproval: true, approvalTimeoutSeconds: 600 });
    const manager = await member(stack, { role: 'facility_manager', timezone: 'America/New_York' });
    const organizer = await member(stack);
    const attendee = guestEmail();
    const booked = await book(stack, organizer, { roomId: r.id, ...slotAhead(8, 9), attendees: [attendee] });
    expect(booked.body.status).toBe('pending_approval');

    const pending = byRecipient(
      await mailsWhen(
        booked.body.id,
        (m) =>
          byRecipient(m, 'pending_approval').has(manager.email) &&
          byRecipient(m, 'pending_approval').has(organizer.email),
      ),
      'pending_approval',
    );
    expect(pending.has(attendee)).toBe(false);
    const request = pending.get(manager.email)![0];
    expect(request.subject).toMatch(/^Approval needed: /);
    expect(request.text).toContain('(America/New_York, GMT-');
    expect(pending.get(organizer.email)![0].subject).toMatch(/^Waiting for approval: /);

    const link = linkIn(request, 'Approve or reject');
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Approve');
    expect((await call(stack, undefined, 'GET', `/bookings/${booked.body.id}`)).status).toBe(401);

    const approved = await fetch(`${link}&decision=approve`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(approved.status).toBe(200);
    expect((await approved.json()).status).toBe('confirmed');
    const again = await fetch(`${link}&decision=approve`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(again.status).toBe(409);

    const approvals = byRecipient(await mailsWhen(booked.body.id, (m) => only(m, 'approved').length >= 2), 'approved');
    expect([...approvals.keys()].sort()).toEqual([organizer.email, attendee].sort());
    expect(parseInvite(approvals.get(attendee)![0].calendar!.raw)).toMatchObject({
      method: 'REQUEST',
      status: 'CONFIRMED',
      uid: `${booked.body.id}@roombook`,
    });
  });

  test('when a manager rejects through the mailed link with a reason, then the organizer is told the reason and attendees hear nothing', async () => {
    const r = await room(stack, { requiresApproval: true, approvalTimeoutSeconds: 600 });
    const manager = await member(stack, { role: 'facility_manager' });
    const organizer = await member(stack);
    const attendee = guestEmail();
    const booked = await book(stack, organizer, { roomId: r.id, ...slotAhead(9, 9), attendees: [attendee] });
    const pending = byRecipient(
      await mailsWhen(booked.body.id, (m) => byRecipient(m, 'pending_approval').has(manager.email)),
      'pending_approval',
    );
    const link = linkIn(pending.get(manager.email)![0], 'Approve or reject');

    // A browser form posts urlencoded fields.
    const rejected = await fetch(`${link}&decision=reject`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ reason: 'The board meets there that week' }).toString(),
    });
    expect(rejected.status).toBe(200);
    expect(await rejected.text()).toContain('rejected');
    const mails = await mailsWhen(booked.body.id, (m) => only(m, 'rejected').length >= 1);
    await settle();
    const rejections = byRecipient(await mailsWhen(booked.body.id, () => true), 'rejected');
    expect([...rejections.keys()]).toEqual([organizer.email]);
    expect(rejections.get(organizer.email)![0].text).toContain('Reason:');
    expect(rejections.get(organizer.email)![0].text).toContain('The board meets there that week');
    expect(mails.some((m) => m.envelopeTo.includes(attendee))).toBe(false);
  });

  test('when a reminder is due and then nobody checks in, then the reminder names the check-in deadline and the release cancels the invite', async () => {
    const at = clock();
    const r = await room(stack, { reminderLeadSeconds: 2, checkInOpensBeforeSeconds: 1, checkInGraceSeconds: 1 });
    const organizer = await member(stack, { timezone: 'Asia/Tokyo' });
    const attendee = await member(stack, { timezone: 'America/New_York' });
    const booked = await book(stack, organizer, {
      roomId: r.id,
      start: at(4),
      end: at(600),
      attendees: [attendee.email],
    });
    expect(await waitForStatus(stack, booked.body.id, 'released')).toBe('released');
    const mails = await mailsWhen(
      booked.body.id,
      (m) => only(m, 'released').length >= 2 && only(m, 'reminder').length >= 2,
    );
    await settle();
    const reminders = byRecipient(await mailsWhen(booked.body.id, () => true), 'reminder');
    expect([...reminders.keys()].sort()).toEqual([organizer.email, attendee.email].sort());
    expect(reminders.get(organizer.email)).toHaveLength(1);
    expect(reminders.get(organizer.email)![0].text).toMatch(/Check in by:\s+.*\(Asia\/Tokyo, GMT\+9\)/);
    expect(reminders.get(attendee.email)![0].text).toMatch(/Check in by:\s+.*\(America\/New_York, GMT-\d\)/);
    expect(reminders.get(organizer.email)![0].text).toContain('Unsubscribe:');

    const releases = byRecipient(mails, 'released');
    expect([...releases.keys()].sort()).toEqual([organizer.email, attendee.email].sort());
    expect(parseInvite(releases.get(organizer.email)![0].calendar!.raw)).toMatchObject({
      method: 'CANCEL',
      status: 'CANCELLED',
    });
    expect(releases.get(organizer.email)![0].subject).toMatch(/^Released: /);
  });

  test('when a meeting ends, then the organizer and attendees with an account are asked for a review once and reminded once, each with an unsubscribe link', async () => {
    const at = clock();
    const r = await room(stack, { requiresCheckIn: false, reviewPromptDelaySeconds: 0, reviewWindowSeconds: 2 });
    const organizer = await member(stack);
    const colleague = await member(stack);
    const guest = guestEmail();
    const booked = await book(stack, organizer, {
      roomId: r.id,
      start: at(1),
      end: at(2),
      attendees: [colleague.email, guest],
    });
    await mailsWhen(booked.body.id, (m) => only(m, 'review_reminder').length >= 2);
    await settle();
    const mails = await mailsWhen(booked.body.id, () => true);
    for (const kind of ['review_prompt', 'review_reminder']) {
      const sent = byRecipient(mails, kind);
      expect([...sent.keys()].sort()).toEqual([organizer.email, colleague.email].sort());
      for (const list of sent.values()) expect(list).toHaveLength(1);
      const one = sent.get(colleague.email)![0];
      expect(one.text).toContain(`/api/v1/bookings/${booked.body.id}/reviews`);
      expect(one.header('list-unsubscribe')).toMatch(
        /^<http:\/\/127\.0\.0\.1:\d+\/api\/v1\/mail\/unsubscribe\?token=[^>]+>$/,
      );
      expect(one.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    }
    expect(byRecipient(mails, 'review_prompt').get(organizer.email)![0].subject).toBe(`How was ${r.name}?`);
  });
});

describe('mail of holds with MAIL_OWN_HOLDS=true (the behaviour before issue 22, which the bench measures)', () => {
  let stack: BookingStack;
  stackForSuite(
    () => startBookingStack({ mailOwnHolds: true }),
    (started) => (stack = started),
  );

  test('when callers hold a slot for themselves, then they get the hold by mail, and only they', async () => {
    const r = await room(stack, { holdTtlSeconds: 600 });
    const organizer = await member(stack);
    const held = await book(stack, organizer, {
      roomId: r.id,
      ...slotAhead(9, 10),
      attendees: [guestEmail()],
      mode: 'hold',
    });
    expect(held.body.status).toBe('held');

    await mailsWhen(held.body.id, (m) => only(m, 'hold_created').length >= 1);
    await settle();
    const all = await mailsWhen(held.body.id, () => true);
    expect(all.map((m) => `${m.kind}:${m.envelopeTo.join(',')}`)).toEqual([`hold_created:${organizer.email}`]);
    expect(await mailKindsScheduledIn(stack, held.body.workflowId)).toEqual(['hold_created']);
  });
});
