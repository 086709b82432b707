import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followUpWorkflowId } from '../../src/shared/booking-messages';
import { exportHistory, replayHistories } from '../support/replay';
import {
  book,
  call,
  clock,
  eventually,
  member,
  room,
  startBookingStack,
  workflowStatus,
  type BookingStack,
} from './support';

// Recorded histories of the main paths, committed: every change to the workflow code must still
// replay them (or branch with patched()). RECORD_HISTORIES=<tag> adds this run's as <path>.<tag>.json:
// older generations stay, since workflows that made them may still be running.
const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');

describe('replaying recorded booking histories', () => {
  test('when the committed histories are replayed against the current workflow code, then none diverges', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
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

    test('when the main paths run now, then their fresh histories replay too (and are recorded on request)', async () => {
      const at = clock();
      const u = await member(stack);
      const paths: Record<string, Promise<{ workflowId: string }>> = {
        'hold-confirm-cancel': (async () => {
          const r = await room(stack);
          const b = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400), mode: 'hold' });
          await call(stack, u, 'POST', `/bookings/${b.body.id}/confirm`, {});
          await call(stack, u, 'POST', `/bookings/${b.body.id}/cancel`, { reason: 'replay' });
          return b.body;
        })(),
        'checkin-checkout-review': (async () => {
          const r = await room(stack, { reviewWindowSeconds: 1 });
          const b = await book(stack, u, { roomId: r.id, start: at(1), end: at(600) });
          await eventually(
            () => call(stack, u, 'POST', `/bookings/${b.body.id}/check-in`, {}),
            (res) => res.status === 200,
          );
          await call(stack, u, 'POST', `/bookings/${b.body.id}/check-out`, {});
          return b.body;
        })(),
        'no-show-release': (async () => {
          const r = await room(stack, { checkInOpensBeforeSeconds: 1, checkInGraceSeconds: 1 });
          return (await book(stack, u, { roomId: r.id, start: at(1), end: at(600) })).body;
        })(),
        'reschedule-moved': (async () => {
          const r = await room(stack);
          const b = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
          await call(stack, u, 'PATCH', `/bookings/${b.body.id}`, { start: at(7200), end: at(9000) });
          return b.body;
        })(),
        'review-followup': (async () => {
          const r = await room(stack, { reviewWindowSeconds: 1 });
          const b = await book(stack, u, { roomId: r.id, start: at(1), end: at(600) });
          await eventually(
            () => call(stack, u, 'POST', `/bookings/${b.body.id}/check-in`, {}),
            (res) => res.status === 200,
          );
          await call(stack, u, 'POST', `/bookings/${b.body.id}/check-out`, {});
          return { workflowId: followUpWorkflowId(b.body.id) };
        })(),
        'move-to-room': (async () => {
          const [from, to] = [await room(stack), await room(stack)];
          const b = await book(stack, u, { roomId: from.id, start: at(3600), end: at(5400) });
          await call(stack, u, 'PATCH', `/bookings/${b.body.id}`, { roomId: to.id });
          return b.body;
        })(),
        'approval-expired': (async () => {
          const r = await room(stack, { requiresApproval: true, approvalTimeoutSeconds: 1 });
          return (await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) })).body;
        })(),
      };
      const fresh = mkdtempSync(join(tmpdir(), 'roombook-histories-'));
      for (const [name, started] of Object.entries(paths)) {
        const { workflowId } = await started;
        const runs: string[] = [];
        for await (const wf of stack.deps.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
          runs.push(wf.runId);
        const runId = runs[runs.length - 1];
        expect(
          await eventually(
            () => workflowStatus(stack, workflowId, runId),
            (s) => s === 'COMPLETED',
            30000,
          ),
        ).toBe('COMPLETED');
        // The operators' way to export a history, so fixtures can also come from production.
        const json = exportHistory(stack.config.temporal.address, workflowId, runId);
        writeFileSync(join(fresh, `${name}.json`), json);
        if (process.env.RECORD_HISTORIES) {
          if (!existsSync(FIXTURES)) mkdirSync(FIXTURES, { recursive: true });
          writeFileSync(join(FIXTURES, `${name}.${process.env.RECORD_HISTORIES}.json`), json);
        }
      }
      const { results, summary } = replayHistories(fresh);
      expect(results.filter((r) => !r.ok)).toEqual([]);
      expect(summary).toEqual({ replayed: Object.keys(paths).length, failed: 0 });
    });
  });
});
