import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import {
  book,
  call,
  eventually,
  member,
  startBookingStack,
  workflowState,
  type BookingStack,
} from '../bookings/support';
import { ACTIVE_STATUSES } from '../../src/shared/booking';
import { bookingWorkflowId } from '../../src/shared/booking-messages';
import { BookingIdKey, SeriesIdKey } from '../../src/shared/search-attributes';
import { createSeries, hoursAhead, roomBookingCount, seriesBookings, seriesRoom } from './support';
import { stackForSuite } from '../support/stack';

describe('creating a recurring series', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test('when a weekly series crosses a daylight-saving change, then every occurrence keeps its local time and is its own booking workflow', async () => {
    const r = await seriesRoom(stack, { horizonDays: 400, slotGranularitySeconds: 900 }, { timezone: 'Europe/Berlin' });
    const u = await member(stack);
    const res = await createSeries(stack, u, {
      roomId: r.id,
      start: '2027-03-15T09:00:00+01:00',
      end: '2027-03-15T10:00:00+01:00',
      timezone: 'Europe/Berlin',
      rrule: 'FREQ=WEEKLY;COUNT=4',
    });
    expect(res.status).toBe(201);
    const starts = res.body.occurrences.map((o: any) => o.start);
    expect(starts).toEqual([
      '2027-03-15T08:00:00.000Z',
      '2027-03-22T08:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
      '2027-04-05T07:00:00.000Z',
    ]);
    for (const start of starts)
      expect(DateTime.fromISO(start, { zone: 'Europe/Berlin' }).toFormat('HH:mm')).toBe('09:00');
    expect(res.body.occurrences.every((o: any) => o.outcome === 'booked' && o.status === 'confirmed')).toBe(true);

    const rows = await seriesBookings(stack, res.body.id);
    expect(rows.map((b) => new Date(b.occurrence_start).toISOString())).toEqual(starts);
    const listed = await call(stack, u, 'GET', `/bookings?roomId=${r.id}`);
    expect(listed.body.items.map((b: any) => b.seriesId)).toEqual([res.body.id, res.body.id, res.body.id, res.body.id]);

    // Each occurrence is the ordinary booking workflow, keyed by room and slot, found by SeriesId.
    const third = rows[2];
    expect(third.workflow_id).toBe(`booking:${r.id}:2027-03-29T07:00:00Z`);
    expect((await workflowState(stack, third.workflow_id)).status).toBe('confirmed');
    const described = await stack.deps.temporal.workflow.getHandle(third.workflow_id).describe();
    expect(described.typedSearchAttributes.get(SeriesIdKey)).toBe(res.body.id);
    expect(
      (await stack.deps.temporal.workflow.getHandle(res.body.workflowId).describe()).typedSearchAttributes.get(
        SeriesIdKey,
      ),
    ).toBe(res.body.id);
  });

  test('when the 40th occurrence of a daily series conflicts, then "fail" books nothing and lists it, and "skip" books the other 39', async () => {
    const r = await seriesRoom(stack, { horizonDays: 60 });
    const u = await member(stack);
    const first = hoursAhead(12);
    const fortieth = new Date(first.getTime() + 39 * 86_400_000);
    const other = await book(stack, await member(stack), {
      roomId: r.id,
      start: new Date(fortieth.getTime() + 1800_000).toISOString(),
      end: new Date(fortieth.getTime() + 5400_000).toISOString(),
    });
    expect(other.status).toBe(201);
    const body = {
      roomId: r.id,
      start: first.toISOString(),
      end: new Date(first.getTime() + 3_600_000).toISOString(),
      timezone: 'UTC',
      rrule: 'FREQ=DAILY;COUNT=40',
    };

    const refused = await createSeries(stack, u, { ...body, onConflict: 'fail' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SLOT_CONFLICT');
    expect(refused.body.error.details.conflicts).toEqual([
      {
        occurrenceStart: fortieth.toISOString(),
        start: fortieth.toISOString(),
        end: new Date(fortieth.getTime() + 3_600_000).toISOString(),
        conflict: { conflictingBookingId: other.body.id, start: other.body.start, end: other.body.end },
      },
    ]);
    expect(await roomBookingCount(stack, r.id)).toBe(1);
    expect(
      (await stack.deps.dataSource.query('SELECT id FROM booking_series WHERE organizer_id = $1', [u.id])).length,
    ).toBe(0);

    const skipped = await createSeries(stack, u, { ...body, onConflict: 'skip' });
    expect(skipped.status).toBe(201);
    const outcomes = skipped.body.occurrences.map((o: any) => o.outcome);
    expect(outcomes.filter((o: string) => o === 'booked')).toHaveLength(39);
    expect(skipped.body.occurrences[39]).toMatchObject({
      outcome: 'conflict',
      start: fortieth.toISOString(),
      conflict: { conflictingBookingId: other.body.id },
    });
    expect(await roomBookingCount(stack, r.id)).toBe(40);
    const read = await call(stack, u, 'GET', `/series/${skipped.body.id}`);
    expect(read.body.occurrences[39].outcome).toBe('conflict');
  });

  test('when the input is bad, then each answer is a 400 that says why and nothing is booked', async () => {
    const r = await seriesRoom(stack);
    const u = await member(stack);
    const first = hoursAhead(12);
    const base = {
      roomId: r.id,
      start: first.toISOString(),
      end: new Date(first.getTime() + 3_600_000).toISOString(),
      timezone: 'UTC',
      rrule: 'FREQ=DAILY;COUNT=3',
    };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ rrule: 'FREQ=SOMETIMES;COUNT=3' }, 'rrule', /FREQ=SOMETIMES is not supported/],
      [{ rrule: 'this is not a rule' }, 'rrule', /not a KEY=VALUE part/],
      [{ rrule: 'FREQ=WEEKLY;BYDAY=MO' }, 'rrule', /never ends/],
      [{ rrule: 'FREQ=DAILY;UNTIL=20400101T000000Z' }, 'rrule', /more than 500 occurrences/],
      [{ rrule: 'FREQ=DAILY;COUNT=501' }, 'rrule', /COUNT=501 is over the cap of 500/],
      [{ start: first.toISOString().replace('.000Z', '') }, 'start', /with a zone/],
      [{ timezone: 'Mars/Olympus' }, 'timezone', /IANA/],
    ];
    for (const [patch, field, message] of cases) {
      const res = await createSeries(stack, u, { ...base, ...patch });
      expect({ patch, status: res.status }).toEqual({ patch, status: 400 });
      expect(res.body.error.details.fields.map((f: any) => f.field)).toContain(field);
      expect(res.body.error.message).toMatch(message);
    }
    expect(await roomBookingCount(stack, r.id)).toBe(0);
    expect(
      (await stack.deps.dataSource.query('SELECT id FROM booking_series WHERE organizer_id = $1', [u.id])).length,
    ).toBe(0);
  });
});

describe('a series occurrence whose workflow cannot start', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  test("when an occurrence's workflow id is held by another run, then its row is released: no active booking is left without a workflow", async () => {
    const r = await seriesRoom(stack, { horizonDays: 60 });
    const u = await member(stack);
    const first = hoursAhead(30);
    const second = new Date(first.getTime() + 86_400_000);
    // Something else holds the second occurrence's key and never lets go (no worker polls its queue).
    const blocker = await stack.deps.temporal.workflow.start('bookingWorkflow', {
      workflowId: bookingWorkflowId(r.id, second),
      taskQueue: `nobody-${randomUUID()}`,
      args: [{}],
    });
    try {
      const res = await createSeries(stack, u, {
        roomId: r.id,
        start: first.toISOString(),
        end: new Date(first.getTime() + 3_600_000).toISOString(),
        timezone: 'UTC',
        rrule: 'FREQ=DAILY;COUNT=2',
      });
      expect(res.status).toBe(201);
      const rows = await eventually(
        () => seriesBookings(stack, res.body.id),
        (bs) => bs.some((b) => b.status === 'cancelled'),
        30_000,
      );
      const [ok, orphan] = rows;
      expect(ok.status).toBe('confirmed');
      expect(orphan).toMatchObject({ status: 'cancelled' });
      expect(orphan.status_reason).toMatch(/could not start/);
      // Every active row of the room has a running workflow of its own booking.
      for (const b of rows.filter((x) => ACTIVE_STATUSES.includes(x.status))) {
        const described = await stack.deps.temporal.workflow.getHandle(b.workflow_id).describe();
        expect(described.status.name).toBe('RUNNING');
        expect(described.typedSearchAttributes.get(BookingIdKey)).toBe(b.id);
      }
    } finally {
      await blocker.terminate('test over');
    }
  });
});
