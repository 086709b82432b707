import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { book, clock, member, room, waitForStatus } from '../bookings/support';
import { startApi, startWorker, type TestStack, type TestWorker } from '../support/stack';
import { byRecipient, mailsOf, mailsWhen, settle, startCatcher } from './support';

describe('mail while the SMTP server is down', () => {
  let stack: TestStack;
  let worker: TestWorker | undefined;
  let catcher: Awaited<ReturnType<typeof startCatcher>> | undefined;
  // Beside the run's mail directory, not in it: only this test's server writes here.
  const dir = `${process.env.TEST_MAIL_DIR ?? join('.data', 'test-mail', 'run')}-outage-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await startApi();
  });
  afterAll(async () => {
    await worker?.stop();
    await catcher?.stop();
    await stack.close();
  });

  test('when SMTP is down for a while, then the booking lives on without waiting and every message arrives exactly once when SMTP is back', async () => {
    // Take a free port, then leave it closed: SMTP is down from the start.
    const first = await startCatcher(dir);
    const port = first.port;
    await first.stop();
    worker = await startWorker({ ...stack.config, smtpUrl: `smtp://127.0.0.1:${port}` }, stack.deps);

    const at = clock();
    const r = await room(stack, { reminderLeadSeconds: 2, checkInOpensBeforeSeconds: 1, checkInGraceSeconds: 1 });
    const organizer = await member(stack);
    const attendee = `guest-${randomUUID().slice(0, 8)}@example.test`;
    const booked = await book(stack, organizer, { roomId: r.id, start: at(3), end: at(600), attendees: [attendee] });
    expect(booked.status).toBe(201);
    expect(booked.body.status).toBe('confirmed');

    // The whole life up to the release runs while no message can leave.
    expect(await waitForStatus(stack, booked.body.id, 'released')).toBe('released');
    const reminded = await stack.deps.dataSource.query('SELECT reminder_sent_at FROM bookings WHERE id = $1', [
      booked.body.id,
    ]);
    expect(reminded[0].reminder_sent_at).not.toBeNull();
    expect(await mailsOf(booked.body.id, dir)).toEqual([]);
    const delivered = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS n FROM mail_deliveries WHERE booking_id = $1',
      [booked.body.id],
    );
    expect(delivered[0].n).toBe(0);

    catcher = await startCatcher(dir, port);
    const expected = ['confirmed', 'reminder', 'released'];
    await mailsWhen(
      booked.body.id,
      (mails) => expected.every((kind) => byRecipient(mails, kind).size === 2),
      90_000,
      dir,
    );
    await settle(3000);
    const mails = await mailsOf(booked.body.id, dir);
    for (const kind of expected) {
      const sent = byRecipient(mails, kind);
      expect([...sent.keys()].sort()).toEqual([organizer.email, attendee].sort());
      for (const list of sent.values()) expect(list).toHaveLength(1);
    }
    expect(mails).toHaveLength(6);
    const rows = await stack.deps.dataSource.query('SELECT kind FROM mail_deliveries WHERE booking_id = $1', [
      booked.body.id,
    ]);
    expect(rows).toHaveLength(6);
  });
});
