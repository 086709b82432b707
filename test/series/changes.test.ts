import { call, clock, eventually, member, startBookingStack, type BookingStack } from '../bookings/support';
import { createSeries, hoursAhead, openPlannedSeries, seriesBookings, seriesRoom } from './support';
import { stackForSuite } from '../support/stack';

const DAY = 86_400_000;
const statuses = async (stack: BookingStack, seriesId: string) =>
  (await seriesBookings(stack, seriesId)).map((b) => b.status);

describe('changing a recurring series', () => {
  let stack: BookingStack;
  stackForSuite(startBookingStack, (started) => (stack = started));

  async function dailySeries(count: number, horizonDays = 30) {
    const r = await seriesRoom(stack, { horizonDays });
    const u = await member(stack);
    const first = hoursAhead(12);
    const res = await createSeries(stack, u, {
      roomId: r.id,
      start: first.toISOString(),
      end: new Date(first.getTime() + 3_600_000).toISOString(),
      timezone: 'UTC',
      rrule: `FREQ=DAILY;COUNT=${count}`,
    });
    expect(res.status).toBe(201);
    return { r, u, series: res.body, occ: (i: number) => res.body.occurrences[i].occurrenceStart as string };
  }

  test('when one occurrence, then this-and-following, then all are cancelled, then each step cancels exactly its occurrences (booked or not yet)', async () => {
    // Horizon 3 days: occurrences 1-3 are booked now, 4-5 wait for the horizon.
    const { u, series, occ } = await dailySeries(5, 3);
    expect(series.occurrences.map((o: any) => o.outcome)).toEqual([
      'booked',
      'booked',
      'booked',
      'scheduled',
      'scheduled',
    ]);

    const one = await call(stack, u, 'POST', `/series/${series.id}/cancel`, { scope: 'one', occurrenceStart: occ(1) });
    expect(one.status).toBe(200);
    expect(await statuses(stack, series.id)).toEqual(['confirmed', 'cancelled', 'confirmed']);

    const following = await call(stack, u, 'POST', `/series/${series.id}/cancel`, {
      scope: 'following',
      occurrenceStart: occ(3),
    });
    expect(following.status).toBe(200);
    expect(following.body.occurrences.map((o: any) => o.outcome)).toEqual([
      'booked',
      'booked',
      'booked',
      'cancelled',
      'cancelled',
    ]);
    expect(await statuses(stack, series.id)).toEqual(['confirmed', 'cancelled', 'confirmed']);

    const all = await call(stack, u, 'POST', `/series/${series.id}/cancel`, { scope: 'all', reason: 'team disbanded' });
    expect(all.status).toBe(200);
    expect(all.body.status).toBe('cancelled');
    expect(await statuses(stack, series.id)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect((await seriesBookings(stack, series.id))[0].status_reason).toBe('team disbanded');
  });

  test('when this-and-following is cancelled from a booked occurrence, then that one and the later ones are cancelled and the earlier ones stay', async () => {
    const { u, series, occ } = await dailySeries(4);
    const res = await call(stack, u, 'POST', `/series/${series.id}/cancel`, {
      scope: 'following',
      occurrenceStart: occ(2),
    });
    expect(res.status).toBe(200);
    expect(await statuses(stack, series.id)).toEqual(['confirmed', 'confirmed', 'cancelled', 'cancelled']);
    expect(res.body.status).toBe('active');
  });

  test('when someone else changes a series, or names no occurrence, then it is refused and nothing changes', async () => {
    const { u, series } = await dailySeries(2);
    const stranger = await member(stack);
    expect((await call(stack, stranger, 'POST', `/series/${series.id}/cancel`, { scope: 'all' })).status).toBe(404);
    const missing = await call(stack, u, 'POST', `/series/${series.id}/cancel`, {
      scope: 'one',
      occurrenceStart: new Date(Date.now() + 99 * DAY).toISOString(),
    });
    expect(missing.status).toBe(400);
    expect(await statuses(stack, series.id)).toEqual(['confirmed', 'confirmed']);
  });

  test('when one occurrence is edited, then only it changes and it keeps its original start as its recurrence id', async () => {
    const { u, series, occ } = await dailySeries(3);
    const moved = new Date(Date.parse(occ(1)) + 2 * 3_600_000);
    const res = await call(stack, u, 'POST', `/series/${series.id}/edit`, {
      scope: 'one',
      occurrenceStart: occ(1),
      title: 'Offsite prep',
      start: moved.toISOString(),
      end: new Date(moved.getTime() + 3_600_000).toISOString(),
    });
    expect([res.status, res.status === 200 ? undefined : res.body]).toEqual([200, undefined]);
    const rows = await seriesBookings(stack, series.id);
    expect(rows.map((b) => b.title)).toEqual(['Team weekly', 'Offsite prep', 'Team weekly']);
    expect(rows.map((b) => new Date(b.start_at).toISOString())).toEqual([occ(0), moved.toISOString(), occ(2)]);
    expect(rows.map((b) => new Date(b.occurrence_start).toISOString())).toEqual([occ(0), occ(1), occ(2)]);
    expect(rows.map((b) => b.status)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    expect(res.body.series.occurrences[1].start).toBe(moved.toISOString());
  });

  test('when this-and-following is edited, then the series splits: earlier occurrences stay, later ones move to a new series with the change', async () => {
    const { u, series, occ } = await dailySeries(4);
    const later = (iso: string) => new Date(Date.parse(iso) + 3_600_000).toISOString();
    const res = await call(stack, u, 'POST', `/series/${series.id}/edit`, {
      scope: 'following',
      occurrenceStart: occ(2),
      title: 'Team weekly (new time)',
      start: later(occ(2)),
      end: later(later(occ(2))),
    });
    expect(res.status).toBe(200);
    expect(await statuses(stack, series.id)).toEqual(['confirmed', 'confirmed', 'cancelled', 'cancelled']);
    const next = res.body.series;
    expect(next.splitFrom).toBe(series.id);
    expect(next.title).toBe('Team weekly (new time)');
    expect(next.occurrences.map((o: any) => [o.start, o.outcome, o.status])).toEqual([
      [later(occ(2)), 'booked', 'confirmed'],
      [later(occ(3)), 'booked', 'confirmed'],
    ]);
    const rows = await seriesBookings(stack, next.id);
    expect(rows.map((b) => b.title)).toEqual(['Team weekly (new time)', 'Team weekly (new time)']);
  });

  test('when three occurrences in a row are released as no-shows, then the rest of the series is cancelled with the reason', async () => {
    const at = clock();
    const r = await seriesRoom(stack, { checkInOpensBeforeSeconds: 1, checkInGraceSeconds: 1 });
    const u = await member(stack);
    const slot = (s: number) => ({ start: at(s), end: at(s + 1) });
    const series = await openPlannedSeries(stack, u, r, [slot(3), slot(5), slot(7), slot(3600), slot(7200)]);
    expect(series.occurrences.map((o) => o.outcome)).toEqual(['booked', 'booked', 'booked', 'booked', 'booked']);

    const ended = await eventually(
      () => call(stack, u, 'GET', `/series/${series.id}`),
      (res) => res.body.status !== 'active',
      30000,
    );
    expect(ended.body.status).toBe('ended');
    expect(ended.body.statusReason).toMatch(/3 occurrences in a row were released/);
    expect(ended.body.consecutiveReleases).toBe(3);
    expect(
      await eventually(
        () => statuses(stack, series.id),
        (s) => s[4] === 'cancelled',
      ),
    ).toEqual(['released', 'released', 'released', 'cancelled', 'cancelled']);
    expect((await seriesBookings(stack, series.id))[3].status_reason).toMatch(
      /in a row were released because nobody checked in/,
    );
  });

  test('when a checked-in occurrence comes between no-shows, then the count starts again and the series goes on', async () => {
    const at = clock();
    const r = await seriesRoom(stack, { checkInOpensBeforeSeconds: 2, checkInGraceSeconds: 1 });
    const u = await member(stack);
    const slot = (s: number) => ({ start: at(s), end: at(s + 1) });
    const series = await openPlannedSeries(stack, u, r, [slot(2), slot(8), slot(11), slot(3600)], {
      maxConsecutiveReleases: 2,
    });
    const second = series.occurrences[1].bookingId!;
    const checkedIn = await eventually(
      () => call(stack, u, 'POST', `/bookings/${second}/check-in`, {}),
      (res) => res.status === 200,
    );
    expect(checkedIn.status).toBe(200);
    expect(
      await eventually(
        () => statuses(stack, series.id),
        (s) => s[2] === 'released',
      ),
    ).toEqual(['released', 'completed', 'released', 'confirmed']);
    const read = await eventually(
      () => call(stack, u, 'GET', `/series/${series.id}`),
      (res) => res.body.consecutiveReleases === 1,
    );
    expect(read.body).toMatchObject({ status: 'active', consecutiveReleases: 1 });
  });

  test('when time passes, then the horizon moves forward and later occurrences are booked (each step in a new run of the series)', async () => {
    const at = clock();
    const r = await seriesRoom(stack, { requiresCheckIn: false });
    const u = await member(stack);
    const slot = (s: number) => ({ start: at(s), end: at(s + 1) });
    const series = await openPlannedSeries(stack, u, r, [slot(2), slot(6), slot(10), slot(14)], { horizonSeconds: 3 });
    expect(series.occurrences.map((o) => o.outcome)).toEqual(['booked', 'scheduled', 'scheduled', 'scheduled']);

    const later = await eventually(
      () => call(stack, u, 'GET', `/series/${series.id}`),
      (res) => res.body.occurrences.every((o: any) => o.outcome === 'booked'),
      30000,
    );
    expect(later.body.occurrences.map((o: any) => o.outcome)).toEqual(['booked', 'booked', 'booked', 'booked']);
    expect((await seriesBookings(stack, series.id)).map((b) => b.workflow_id)).toEqual(
      [slot(2), slot(6), slot(10), slot(14)].map((s) => `booking:${r.id}:${s.start.replace('.000Z', 'Z')}`),
    );
    const runs = async () => {
      const ids: string[] = [];
      for await (const wf of stack.deps.temporal.workflow.list({ query: `WorkflowId = "${series.workflowId}"` }))
        ids.push(wf.runId);
      return ids;
    };
    // Three horizon steps after the first booking: three continue-as-new, four runs (visibility catches up shortly).
    expect((await eventually(runs, (ids) => ids.length >= 4)).length).toBe(4);
  });
});
