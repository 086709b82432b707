import { randomUUID } from 'node:crypto';
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
import { signApprovalToken } from '../../src/mail/tokens';
import { byRecipient, linkIn, mailsWhen, settle } from './support';
import { stackForSuite } from '../support/stack';

const guestEmail = () => `guest-${randomUUID().slice(0, 8)}@example.test`;

describe('mail preferences and unsubscribe links', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  /** A short meeting without check-in: confirmation, reminder, review prompt and review reminder. */
  async function shortMeeting(organizer: Awaited<ReturnType<typeof member>>, attendees: string[]) {
    const at = clock();
    const r = await room(stack, {
      requiresCheckIn: false,
      reminderLeadSeconds: 1,
      reviewPromptDelaySeconds: 0,
      reviewWindowSeconds: 2,
    });
    const booked = await book(stack, organizer, { roomId: r.id, start: at(2), end: at(3), attendees });
    expect(booked.status).toBe(201);
    return booked.body;
  }

  test('when a user turns reminders and review prompts off, then they get neither while confirmations still go and others still get both', async () => {
    const organizer = await member(stack);
    const colleague = await member(stack);
    const patched = await call(stack, organizer, 'PATCH', '/users/me', {
      notificationPrefs: { reminders: false, reviewPrompts: false },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.notificationPrefs).toEqual({ bookingUpdates: true, reminders: false, reviewPrompts: false });

    const booking = await shortMeeting(organizer, [colleague.email]);
    await mailsWhen(booking.id, (m) => byRecipient(m, 'review_reminder').has(colleague.email));
    await settle();
    const mails = await mailsWhen(booking.id, () => true);
    expect([...byRecipient(mails, 'confirmed').keys()].sort()).toEqual([organizer.email, colleague.email].sort());
    for (const kind of ['reminder', 'review_prompt', 'review_reminder']) {
      expect([...byRecipient(mails, kind).keys()]).toEqual([colleague.email]);
    }
  });

  test('when someone follows the unsubscribe link of a reminder, then the page asks, the POST turns reminders off in their profile, and the next booking sends them none', async () => {
    const organizer = await member(stack);
    const colleague = await member(stack);
    const first = await shortMeeting(organizer, [colleague.email]);
    const reminders = byRecipient(await mailsWhen(first.id, (m) => byRecipient(m, 'reminder').size === 2), 'reminder');
    const link = linkIn(reminders.get(colleague.email)![0], 'Unsubscribe');
    expect(link).toContain(`${stack.baseUrl}/api/v1/mail/unsubscribe?token=`);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('reminders before your bookings');
    // Following the link alone changes nothing (mail scanners prefetch links).
    expect((await call(stack, colleague, 'GET', '/users/me')).body.notificationPrefs.reminders).toBe(true);

    const done = await fetch(link, { method: 'POST', headers: { accept: 'application/json' } });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ email: colleague.email, preference: 'reminders', enabled: false });
    const me = await call(stack, colleague, 'GET', '/users/me');
    expect(me.body.notificationPrefs).toEqual({ bookingUpdates: true, reminders: false, reviewPrompts: true });

    const second = await shortMeeting(organizer, [colleague.email]);
    await mailsWhen(second.id, (m) => byRecipient(m, 'review_prompt').size === 2);
    await settle();
    const mails = await mailsWhen(second.id, () => true);
    expect([...byRecipient(mails, 'reminder').keys()]).toEqual([organizer.email]);
    expect([...byRecipient(mails, 'confirmed').keys()].sort()).toEqual([organizer.email, colleague.email].sort());
  });

  test('when a guest without an account unsubscribes with one click (RFC 8058), then they get no more reminders but still get confirmations', async () => {
    const organizer = await member(stack);
    const guest = guestEmail();
    const first = await shortMeeting(organizer, [guest]);
    const reminders = byRecipient(await mailsWhen(first.id, (m) => byRecipient(m, 'reminder').has(guest)), 'reminder');
    const mail = reminders.get(guest)![0];
    const oneClick = /^<(.+)>$/.exec(mail.header('list-unsubscribe') ?? '')![1];
    const done = await fetch(oneClick, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);

    const second = await shortMeeting(organizer, [guest]);
    await mailsWhen(second.id, (m) => byRecipient(m, 'reminder').has(organizer.email));
    await settle();
    const mails = await mailsWhen(second.id, () => true);
    expect(byRecipient(mails, 'reminder').has(guest)).toBe(false);
    expect(byRecipient(mails, 'confirmed').has(guest)).toBe(true);
  });

  test('when a hold is placed by someone who turned hold notices off, then no hold mail goes, but the expiry does', async () => {
    const organizer = await member(stack);
    await call(stack, organizer, 'PATCH', '/users/me', { notificationPrefs: { bookingUpdates: false } });
    const r = await room(stack, { holdTtlSeconds: 1 });
    const at = clock();
    const held = await book(stack, organizer, { roomId: r.id, start: at(3600), end: at(5400), mode: 'hold' });
    expect(await waitForStatus(stack, held.body.id, 'expired')).toBe('expired');
    await mailsWhen(held.body.id, (m) => m.some((x) => x.kind === 'expired'));
    await settle();
    expect((await mailsWhen(held.body.id, () => true)).map((m) => m.kind)).toEqual(['expired']);
  });

  test('when an unsubscribe link is forged or is another kind of token, then it is refused with 400 and nothing changes', async () => {
    const bad = await fetch(`${stack.baseUrl}/api/v1/mail/unsubscribe?token=not-a-token`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('INVALID_LINK');
    const u = await member(stack);
    const approvalToken = signApprovalToken(stack.config.jwtSecret, { userId: u.id, bookingId: randomUUID() });
    const wrongKind = await fetch(`${stack.baseUrl}/api/v1/mail/unsubscribe?token=${approvalToken}`, {
      method: 'POST',
    });
    expect(wrongKind.status).toBe(400);
    // An approval link sent to someone who is not staff decides nothing.
    const notStaff = await fetch(`${stack.baseUrl}/api/v1/mail/approval?token=${approvalToken}&decision=approve`, {
      method: 'POST',
    });
    expect(notStaff.status).toBe(403);
    expect((await call(stack, u, 'GET', '/users/me')).body.notificationPrefs.reminders).toBe(true);
  });

  test('when a booking lists a malformed attendee address, then it is refused with 400 naming the field, and no booking or mail exists', async () => {
    const organizer = await member(stack);
    const r = await room(stack);
    const at = clock();
    const title = `Bad attendee ${randomUUID()}`;
    for (const attendees of [
      ['not-an-email'],
      ['ok@example.test', 'two@@example.test'],
      ['a@example.test\r\nBcc: victim@example.test'],
    ]) {
      const res = await book(stack, organizer, { roomId: r.id, start: at(3600), end: at(5400), title, attendees });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].field).toMatch(/^attendees\.\d$/);
    }
    const rows = await stack.deps.dataSource.query('SELECT id FROM bookings WHERE title = $1', [title]);
    expect(rows).toEqual([]);
  });
});
