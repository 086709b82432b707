import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followUpWorkflowId } from '../../src/shared/booking-messages';
import { expectCommittedHistoriesReplay, expectHistoriesReplay, firstRunId, recordHistory } from '../support/replay';
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
import { stackForSuite } from '../support/stack';

// Recorded histories of the main paths, committed: every change to the workflow code must still
// replay them (or branch with patched()). RECORD_HISTORIES=<tag> adds this run's as <path>.<tag>.json:
// older generations stay, since workflows that made them may still be running.
const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');

describe('replaying recorded booking histories', () => {
  test('when the committed histories are replayed against the current workflow code, then none diverges', async () => {
    expectCommittedHistoriesReplay(FIXTURES, 5);
  });

  describe('histories of this run', () => {
    let stack: BookingStack;
    stackForSuite(startBookingStack, (started) => (stack = started));

    test('when the main paths run now, then their fresh histories replay too (and are recorded on request)', async () => {
      const at = clock();
      const u = await member(stack);
      // Meetings that start a few seconds from when they are booked, on a clock read then: the
      // test's own clock is older by the room and user set-up, which a loaded machine makes seconds.
      const soon = async (body: Record<string, unknown>) => {
        const now = clock();
        const b = await book(stack, u, { ...body, start: now(5), end: now(600) });
        expect(b.status).toBe(201);
        return b;
      };
      const checkedOutMeeting = async () => {
        const r = await room(stack, { reviewWindowSeconds: 1 });
        const b = await soon({ roomId: r.id });
        await eventually(
          () => call(stack, u, 'POST', `/bookings/${b.body.id}/check-in`, {}),
          (res) => res.status === 200,
        );
        await call(stack, u, 'POST', `/bookings/${b.body.id}/check-out`, {});
        return b.body;
      };
      const paths: Record<string, Promise<{ workflowId: string }>> = {
        'hold-confirm-cancel': (async () => {
          const r = await room(stack);
          const b = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400), mode: 'hold' });
          await call(stack, u, 'POST', `/bookings/${b.body.id}/confirm`, {});
          await call(stack, u, 'POST', `/bookings/${b.body.id}/cancel`, { reason: 'replay' });
          return b.body;
        })(),
        'checkin-checkout-review': checkedOutMeeting(),
        'no-show-release': (async () => {
          const r = await room(stack, { checkInOpensBeforeSeconds: 1, checkInGraceSeconds: 1 });
          return (await soon({ roomId: r.id })).body;
        })(),
        'reschedule-moved': (async () => {
          const r = await room(stack);
          const b = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
          await call(stack, u, 'PATCH', `/bookings/${b.body.id}`, { start: at(7200), end: at(9000) });
          return b.body;
        })(),
        'review-followup': checkedOutMeeting().then((b) => ({ workflowId: followUpWorkflowId(b.id) })),
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
        const runId = await firstRunId(stack, workflowId);
        expect(
          await eventually(
            () => workflowStatus(stack, workflowId, runId),
            (s) => s === 'COMPLETED',
            30000,
          ),
        ).toBe('COMPLETED');
        recordHistory(stack, { fresh, fixtures: FIXTURES }, name, workflowId, runId);
      }
      expectHistoriesReplay(fresh, Object.keys(paths).length);
    });
  });
});
