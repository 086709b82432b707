import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config';
import { ticketWorkflowId } from '../../src/shared/ticket-messages';
import { eventually } from '../support/eventually';
import { createRoom, createUser } from '../support/fixtures';
import { call } from '../support/http';
import { expectCommittedHistoriesReplay, expectHistoriesReplay, recordHistory } from '../support/replay';
import { startApi, startWorker, type TestStack, type TestWorker } from '../support/stack';

// Recorded histories of ticket workflows, committed: workflow changes must still replay them (or
// branch with patched()). RECORD_HISTORIES=<tag> adds this run's as <name>.<tag>.json; the
// `before-announce-patch` generation was recorded with the workflow as it was before
// 'ticket-announce-after-save'.
const FIXTURES = join(__dirname, '..', 'fixtures', 'ticket-histories');

/** Every deadline and window a second or two: the whole life fits in the test. */
const TICKETS: Config['tickets'] = {
  sla: {
    low: { acknowledgeSeconds: 1, resolveSeconds: 600 },
    normal: { acknowledgeSeconds: 600, resolveSeconds: 600 },
    blocking: { acknowledgeSeconds: 600, resolveSeconds: 600 },
  },
  reopenSeconds: 2,
};

describe('replaying recorded ticket histories', () => {
  test('when the committed ticket histories are replayed against the current workflow code, then none diverges', () => {
    expectCommittedHistoriesReplay(FIXTURES, 1);
  });

  describe('histories of this run', () => {
    let stack: TestStack;
    let worker: TestWorker;
    beforeAll(async () => {
      stack = await startApi({ tickets: TICKETS });
      worker = await startWorker(stack.config, stack.deps);
    });
    afterAll(async () => {
      await worker?.stop();
      await stack?.close();
    });

    test('when a ticket misses its acknowledge deadline, is acknowledged, assigned, commented, resolved and closes itself, then its fresh history replays too', async () => {
      const [manager, member] = [await createUser(stack, { role: 'facility_manager' }), await createUser(stack)];
      const room = await createRoom(stack);
      const reported = await call(stack, member, 'POST', `/rooms/${room.id}/tickets`, {
        category: 'equipment',
        severity: 'low',
        title: 'Remote missing',
      });
      expect(reported.status).toBe(201);
      const id: string = reported.body.id;
      const breached = await eventually(
        async () => (await call(stack, manager, 'GET', `/tickets/${id}`)).body,
        (t) => t.slaBreached === true,
        20_000,
        'the acknowledge deadline passed',
      );
      expect(breached.status).toBe('open');
      expect((await call(stack, manager, 'POST', `/tickets/${id}/acknowledge`, {})).status).toBe(200);
      expect((await call(stack, manager, 'POST', `/tickets/${id}/assign`, { assigneeId: manager.id })).status).toBe(
        200,
      );
      expect((await call(stack, manager, 'POST', `/tickets/${id}/start`, { note: 'On my way' })).status).toBe(200);
      expect((await call(stack, manager, 'POST', `/tickets/${id}/resolve`, {})).status).toBe(200);
      const closed = await eventually(
        async () => (await call(stack, manager, 'GET', `/tickets/${id}`)).body,
        (t) => t.status === 'closed',
        20_000,
        'the reopen window ended',
      );
      expect(closed.version).toBe(7);

      const workflowId = ticketWorkflowId(id);
      await eventually(
        async () => (await stack.deps.temporal.workflow.getHandle(workflowId).describe()).status.name,
        (s) => s === 'COMPLETED',
        20_000,
        'the ticket workflow ended',
      );
      const fresh = mkdtempSync(join(tmpdir(), 'roombook-ticket-histories-'));
      recordHistory(stack, { fresh, fixtures: FIXTURES }, 'ticket-breach-work-close', workflowId);
      expectHistoriesReplay(fresh, 1);
    });
  });
});
