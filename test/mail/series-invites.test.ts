import { call, member, startBookingStack, type BookingStack } from '../bookings/support';
import { createSeries, hoursAhead, seriesBookings, seriesRoom } from '../series/support';
import { mailsWhen, parseInvite } from './support';
import { stackForSuite } from '../support/stack';

describe('invites for occurrences of a recurring series', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test('when one occurrence is cancelled, then its CANCEL carries the series UID and the occurrence as RECURRENCE-ID', async () => {
    const r = await seriesRoom(stack, { slotGranularitySeconds: 900, horizonDays: 30 });
    const u = await member(stack);
    const first = hoursAhead(24);
    const created = await createSeries(stack, u, {
      roomId: r.id,
      start: first.toISOString(),
      end: new Date(first.getTime() + 3_600_000).toISOString(),
      timezone: 'UTC',
      rrule: 'FREQ=DAILY;COUNT=3',
    });
    expect(created.status).toBe(201);
    const second = created.body.occurrences[1].occurrenceStart as string;

    const cancelled = await call(stack, u, 'POST', `/series/${created.body.id}/cancel`, {
      scope: 'one',
      occurrenceStart: second,
    });
    expect(cancelled.status).toBe(200);
    const booking = (await seriesBookings(stack, created.body.id))[1];
    const mails = await mailsWhen(booking.id, (m) => m.some((x) => x.kind === 'cancelled' && x.calendar));
    const invite = parseInvite(mails.find((m) => m.kind === 'cancelled' && m.calendar)!.calendar!.raw);
    expect(invite.method).toBe('CANCEL');
    expect(invite.uid).toBe(`series-${created.body.id}@roombook`);
    const raw = mails.find((m) => m.kind === 'cancelled')!.calendar!.raw;
    expect(raw).toContain(
      `RECURRENCE-ID:${new Date(second)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '')}`,
    );
  });
});
