import { AppError } from '../../src/domain/errors';
import {
  insightsReport,
  NO_USAGE,
  insightsWindow,
  openSeconds,
  parseOpeningHours,
  type OpeningHours,
} from '../../src/domain/insights';
import { rollupReads } from '../../src/db/repositories/insights';

const WORKDAYS: OpeningHours = { weekdays: [1, 2, 3, 4, 5], opensAt: 8 * 60, closesAt: 18 * 60 };
const ms = (iso: string) => Date.parse(iso);

describe('insights: opening hours', () => {
  test('when a window spans a whole week, then five ten-hour days are open', () => {
    // 2026-03-02 is a Monday.
    expect(openSeconds({ from: ms('2026-03-02T00:00:00Z'), to: ms('2026-03-09T00:00:00Z') }, 'UTC', WORKDAYS)).toBe(
      5 * 10 * 3600,
    );
  });

  test('when the window starts and ends inside opening hours, then only the part inside counts', () => {
    const window = { from: ms('2026-03-02T17:00:00Z'), to: ms('2026-03-03T09:30:00Z') };
    expect(openSeconds(window, 'UTC', WORKDAYS)).toBe(3600 + 1.5 * 3600);
  });

  test('when the room is in another zone, then its own wall clock decides', () => {
    // 08:00-18:00 in New York (UTC-5 in March before the change) is 13:00-23:00 UTC.
    const window = { from: ms('2026-03-02T00:00:00Z'), to: ms('2026-03-02T14:00:00Z') };
    expect(openSeconds(window, 'America/New_York', WORKDAYS)).toBe(3600);
  });

  test('when a day loses an hour to daylight saving, then it is open for the wall-clock hours it has', () => {
    // Europe/Paris moves 02:00 -> 03:00 on Sunday 2026-03-29; open all day, that day has 23 hours.
    const always: OpeningHours = { weekdays: [7], opensAt: 0, closesAt: 24 * 60 };
    const window = { from: ms('2026-03-28T23:00:00Z'), to: ms('2026-03-29T22:00:00Z') };
    expect(openSeconds(window, 'Europe/Paris', always)).toBe(23 * 3600);
  });

  test('when the configuration is read, then bad spans and weekdays are named', () => {
    expect(parseOpeningHours('08:00-18:00', '1,2,3,4,5')).toEqual(WORKDAYS);
    expect(parseOpeningHours('18:00-08:00', '1')).toContain('opening before closing');
    expect(parseOpeningHours('8-18', '1')).toContain('08:00-18:00');
    expect(parseOpeningHours('08:00-18:00', '0,8')).toContain('ISO weekdays');
  });
});

describe('insights: the window', () => {
  test('when the window is 366 days, then it is accepted; one more second, then 422', () => {
    expect(insightsWindow('2025-01-01T00:00:00Z', '2026-01-02T00:00:00Z').to).toBe(ms('2026-01-02T00:00:00Z'));
    const tooLong = (() => {
      try {
        insightsWindow('2025-01-01T00:00:00Z', '2026-01-02T00:00:01Z');
      } catch (err) {
        return err;
      }
    })();
    expect(tooLong).toBeInstanceOf(AppError);
    expect(tooLong).toMatchObject({ status: 422, code: 'WINDOW_TOO_LONG' });
  });

  test('when from is after to, then 400 naming to', () => {
    expect(() => insightsWindow('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z')).toThrow(/to: must be after from/);
  });
});

describe('insights: the report', () => {
  const usage = (roomId: string, over: Partial<Parameters<typeof insightsReport>[1][number]>) => ({
    roomId,
    name: roomId,
    building: 'HQ',
    timeZone: 'UTC',
    ...NO_USAGE,
    ...over,
  });
  const day = { from: ms('2026-03-02T00:00:00Z'), to: ms('2026-03-03T00:00:00Z') };

  test('when rooms are summed, then totals are ratios of sums, not means of ratios', () => {
    const report = insightsReport(
      day,
      [
        usage('a', { bookings: 4, usedSeconds: 7200, noShows: 1, checkInsDue: 4, releasedSeconds: 1800 }),
        usage('b', {
          bookings: 1,
          usedSeconds: 0,
          noShows: 1,
          checkInsDue: 1,
          releasedSeconds: 3600,
          rebookedSeconds: 1800,
          recoveredSeconds: 900,
        }),
        usage('c', {}),
      ],
      [],
      WORKDAYS,
    );
    expect(report.rooms.map((r) => [r.ghostRate, r.utilization])).toEqual([
      [0.25, 0.2],
      [1, 0],
      [null, 0],
    ]);
    expect(report.totals).toEqual({
      bookings: 5,
      bookedHours: 0,
      usedHours: 2,
      noShows: 2,
      ghostRate: 2 / 5,
      releasedHours: 1.5,
      rebookedHours: 0.5,
      recoveredHours: 0.25,
      lateCancellations: 0,
      utilization: 7200 / (3 * 36000),
    });
  });

  test('when a room was never open in the window, then its utilization is null', () => {
    const sunday = { from: ms('2026-03-01T00:00:00Z'), to: ms('2026-03-02T00:00:00Z') };
    expect(insightsReport(sunday, [usage('a', { usedSeconds: 60 })], [], WORKDAYS).rooms[0].utilization).toBeNull();
  });

  test('when the heatmap has a few hours, then the answer has all 168, in hours', () => {
    const report = insightsReport(day, [], [{ weekday: 1, hour: 9, bookedSeconds: 3600, usedSeconds: 1800 }], WORKDAYS);
    expect(report.heatmap).toHaveLength(168);
    expect(report.heatmap[9]).toEqual({ weekday: 1, hour: 9, bookedHours: 1, usedHours: 0.5 });
    expect(report.heatmap[10]).toEqual({ weekday: 1, hour: 10, bookedHours: 0, usedHours: 0 });
  });
});

describe('insights: which rollup rows a window reads', () => {
  const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
  const range = (from: string, to: string, sign: 1 | -1) => ({ from: day(from), to: day(to), sign });

  test('when the days are a year from the 2nd, then twelve months minus a day plus a day', () => {
    expect(rollupReads(day('2025-12-02'), day('2026-12-02'))).toEqual({
      months: [day('2025-12-01'), day('2026-12-01')],
      days: [range('2025-12-01', '2025-12-02', -1), range('2026-12-01', '2026-12-02', 1)],
    });
  });

  test('when the days are 30 from the 2nd, then one month minus a day plus a day', () => {
    expect(rollupReads(day('2026-11-02'), day('2026-12-02'))).toEqual({
      months: [day('2026-11-01'), day('2026-12-01')],
      days: [range('2026-11-01', '2026-11-02', -1), range('2026-12-01', '2026-12-02', 1)],
    });
  });

  test('when the days start before a month and end mid-way through the next, then the month plus the days around it', () => {
    expect(rollupReads(day('2026-10-29'), day('2026-12-10'))).toEqual({
      months: [day('2026-11-01'), day('2026-12-01')],
      days: [range('2026-10-29', '2026-11-01', 1), range('2026-12-01', '2026-12-10', 1)],
    });
  });

  test('when ten days lie mid-month, then the ten days', () => {
    expect(rollupReads(day('2026-11-10'), day('2026-11-20'))).toEqual({
      months: [day('2026-11-20'), day('2026-11-20')],
      days: [range('2026-11-10', '2026-11-20', 1)],
    });
  });
});
