import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCommittedHistoriesReplay, expectHistoriesReplay, firstRunId, recordHistory } from '../support/replay';
import { clock, eventually, member, startBookingStack, workflowStatus, type BookingStack } from '../bookings/support';
import { openPlannedSeries, seriesBookings, seriesRoom } from './support';
import { stackForSuite } from '../support/stack';

// Recorded histories of a series parent and its children, committed: workflow changes must still
// replay them. RECORD_HISTORIES=<tag> adds this run's as <path>.<tag>.json (older generations stay).
const FIXTURES = join(__dirname, '..', 'fixtures', 'series-histories');

describe('replaying recorded series histories', () => {
  test('when the committed series histories are replayed against the current workflow code, then none diverges', () => {
    expectCommittedHistoriesReplay(FIXTURES, 3);
  });

  describe('histories of this run', () => {
    let stack: BookingStack;
    stackForSuite(startBookingStack, (started) => (stack = started));

    test('when a series books, continues as new and its occurrences are released as no-shows (each telling the series), then the fresh histories replay too', async () => {
      const at = clock();
      const u = await member(stack);
      const r = await seriesRoom(stack, {
        checkInOpensBeforeSeconds: 1,
        checkInGraceSeconds: 1,
        reviewWindowSeconds: 1,
      });
      const series = await openPlannedSeries(
        stack,
        u,
        r,
        [
          { start: at(2), end: at(3) },
          { start: at(6), end: at(7) },
        ],
        { horizonSeconds: 3 },
      );
      const first = series.occurrences[0];
      const rows = await eventually(
        () => seriesBookings(stack, series.id),
        (b) => b.length === 2 && b[1].status === 'released',
        30000,
      );
      expect(rows.map((b) => b.status)).toEqual(['released', 'released']);

      const firstRun = await firstRunId(stack, series.workflowId);
      const targets: Record<string, { workflowId: string; runId?: string }> = {
        'series-parent-first-run': { workflowId: series.workflowId, runId: firstRun },
        'series-occurrence-booked-at-open': { workflowId: rows[0].workflow_id },
        'series-occurrence-booked-after-horizon-step': { workflowId: rows[1].workflow_id },
      };
      expect(first.outcome).toBe('booked');
      const fresh = mkdtempSync(join(tmpdir(), 'roombook-series-histories-'));
      for (const [name, { workflowId, runId }] of Object.entries(targets)) {
        expect(
          await eventually(
            () => workflowStatus(stack, workflowId, runId),
            (s) => s === 'COMPLETED' || s === 'CONTINUED_AS_NEW',
            30000,
          ),
        ).toMatch(/COMPLETED|CONTINUED_AS_NEW/);
        recordHistory(stack, { fresh, fixtures: FIXTURES }, name, workflowId, runId);
      }
      expectHistoriesReplay(fresh, 3);
    });
  });
});
