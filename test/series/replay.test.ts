import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportHistory, replayHistories } from '../support/replay';
import { clock, eventually, member, startBookingStack, workflowStatus, type BookingStack } from '../bookings/support';
import { openPlannedSeries, seriesBookings, seriesRoom } from './support';

// Recorded histories of a series parent and its children, committed: workflow changes must still
// replay them. RECORD_HISTORIES=<tag> adds this run's as <path>.<tag>.json (older generations stay).
const FIXTURES = join(__dirname, '..', 'fixtures', 'series-histories');

describe('replaying recorded series histories', () => {
  test('when the committed series histories are replayed against the current workflow code, then none diverges', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const { results, summary } = replayHistories(FIXTURES);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(summary).toEqual({ replayed: files.length, failed: 0 });
  });

  describe('histories of this run', () => {
    let stack: BookingStack;
    beforeAll(async () => {
      stack = await startBookingStack();
    });
    afterAll(async () => {
      await stack.stop();
    });

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

      const runs: string[] = [];
      for await (const wf of stack.deps.temporal.workflow.list({ query: `WorkflowId = "${series.workflowId}"` }))
        runs.push(wf.runId);
      const firstRun = runs[runs.length - 1];
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
        const json = exportHistory(stack.config.temporal.address, workflowId, runId);
        writeFileSync(join(fresh, `${name}.json`), json);
        if (process.env.RECORD_HISTORIES) {
          if (!existsSync(FIXTURES)) mkdirSync(FIXTURES, { recursive: true });
          writeFileSync(join(FIXTURES, `${name}.${process.env.RECORD_HISTORIES}.json`), json);
        }
      }
      const { results, summary } = replayHistories(fresh);
      expect(results.filter((r) => !r.ok)).toEqual([]);
      expect(summary).toEqual({ replayed: 3, failed: 0 });
    });
  });
});
