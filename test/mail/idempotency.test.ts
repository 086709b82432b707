import { randomUUID } from 'node:crypto';
import { createMailActivities } from '../../src/activities/mail';
import { createMailer } from '../../src/mail/transport';
import type { BookingEvent } from '../../src/shared/booking-messages';
import { book, member, room, startBookingStack, type BookingStack } from '../bookings/support';
import { byRecipient, mailsOf, mailsWhen, settle } from './support';

/**
 * The activity itself, run the way Temporal retries it: the same event again, after a success,
 * after a partial failure, and after the server accepted a message whose answer was lost.
 */
describe('mail delivery is idempotent across activity retries', () => {
  let stack: BookingStack;
  const mailer = createMailer(process.env.SMTP_URL!);
  beforeAll(async () => {
    stack = await startBookingStack();
  });
  afterAll(async () => {
    mailer.close();
    await stack.stop();
  });

  async function confirmedBooking(attendees: string[]) {
    const r = await room(stack);
    const organizer = await member(stack);
    const start = new Date(Date.now() + 10 * 86_400_000);
    start.setUTCHours(8, 0, 0, 0);
    const booked = await book(stack, organizer, {
      roomId: r.id,
      start: start.toISOString(),
      end: new Date(start.getTime() + 3_600_000).toISOString(),
      attendees,
    });
    expect(booked.status).toBe(201);
    await mailsWhen(booked.body.id, (m) => byRecipient(m, 'confirmed').size === attendees.length + 1);
    return { organizer, booking: booked.body };
  }

  const activities = (sendMail: typeof mailer.sendMail) =>
    createMailActivities({
      dataSource: stack.deps.dataSource,
      config: stack.config,
      mailer: { sendMail } as unknown as typeof mailer,
    });

  test('when the mail activity runs again for an event it already delivered, then it sends nothing', async () => {
    const guest = `guest-${randomUUID().slice(0, 8)}@example.test`;
    const { booking } = await confirmedBooking([guest]);
    const event: BookingEvent = { kind: 'confirmed', booking };
    const result = await activities(mailer.sendMail.bind(mailer)).sendBookingMail(event);
    expect(result).toEqual({ sent: 0, alreadySent: 2, optedOut: 0 });
    await settle(500);
    expect(byRecipient(await mailsOf(booking.id), 'confirmed').get(guest)).toHaveLength(1);
  });

  test('when a send fails part-way through the readers, then the retry sends only the messages that are missing', async () => {
    const first = `first-${randomUUID().slice(0, 8)}@example.test`;
    const second = `second-${randomUUID().slice(0, 8)}@example.test`;
    const { organizer, booking } = await confirmedBooking([first, second]);
    // A later event of the same booking, driven by hand: reminders are optional, so no workflow sends one here.
    const event: BookingEvent = { kind: 'reminder', booking: { ...booking, version: booking.version + 100 } };
    let calls = 0;
    const flaky = activities(async (options) => {
      calls += 1;
      if (calls === 2) throw new Error('421 Service not available, closing transmission channel');
      return mailer.sendMail(options);
    });
    await expect(flaky.sendBookingMail(event)).rejects.toThrow('421');
    const retry = await activities(mailer.sendMail.bind(mailer)).sendBookingMail(event);
    expect(retry).toEqual({ sent: 2, alreadySent: 1, optedOut: 0 });

    const reminders = byRecipient(
      await mailsWhen(booking.id, (m) => byRecipient(m, 'reminder').size === 3),
      'reminder',
    );
    await settle(500);
    expect([...reminders.keys()].sort()).toEqual([organizer.email, first, second].sort());
    for (const list of byRecipient(await mailsOf(booking.id), 'reminder').values()) expect(list).toHaveLength(1);
  });

  test('when the server accepted a message but the activity failed before recording it, then the retry resends it with the same Message-ID', async () => {
    const { organizer, booking } = await confirmedBooking([]);
    const event: BookingEvent = { kind: 'review_prompt', booking: { ...booking, version: booking.version + 200 } };
    const lostAnswer = activities(async (options) => {
      await mailer.sendMail(options);
      throw new Error('Timeout waiting for the final 250');
    });
    await expect(lostAnswer.sendBookingMail(event)).rejects.toThrow('Timeout');
    await activities(mailer.sendMail.bind(mailer)).sendBookingMail(event);

    const prompts = byRecipient(
      await mailsWhen(booking.id, (m) => (byRecipient(m, 'review_prompt').get(organizer.email) ?? []).length === 2),
      'review_prompt',
    );
    const copies = prompts.get(organizer.email)!;
    // The documented window: two copies, one Message-ID, which receiving servers collapse into one.
    expect(copies).toHaveLength(2);
    expect(copies[0].messageId).toBe(copies[1].messageId);
  });
});
