import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { createTemporalClient } from '../../src/infra/temporal';
import {
  RECONCILE_SCHEDULE_ID,
  RECONCILE_WORKFLOW_TYPE,
  RETENTION_SCHEDULE_ID,
  type ReconcileInput,
  type ReconcileReport,
} from '../../src/shared/ops-messages';
import { bookThroughProcesses, startProcessStack, type ProcessStack } from '../support/processes';
import { WEEKLY_INSIGHTS_SCHEDULE_ID } from '../../src/shared/insights-messages';

describe('the worker process creates the schedules and reports drift in its metrics and logs', () => {
  let procs: ProcessStack;
  let dataSource: DataSource;
  const temporal = createTemporalClient({
    temporal: { address: process.env.TEMPORAL_ADDRESS!, namespace: 'default', taskQueue: 'unused', uiPort: 0 },
  });

  beforeAll(async () => {
    dataSource = await createDataSource(process.env.DATABASE_URL!, { poolSize: 2 }).initialize();
    // Report only: this stack shares the run's database with other test files.
    procs = await startProcessStack({ OPS_SCHEDULES: 'true', RECONCILE_REPAIR: 'false' });
  });
  afterAll(async () => {
    for (const id of [RETENTION_SCHEDULE_ID, RECONCILE_SCHEDULE_ID])
      await temporal.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await procs?.stop();
    await temporal.connection.close();
    await dataSource?.destroy();
  });

  test('when the worker has started, then both schedules exist on its task queue with the configured intervals', async () => {
    const retention = await temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    expect(retention.action).toMatchObject({
      workflowType: 'retentionWorkflow',
      taskQueue: procs.env.TEMPORAL_TASK_QUEUE,
    });
    expect(retention.spec.intervals?.[0].every).toBe(3600 * 1000);
    const reconcile = await temporal.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe();
    expect(reconcile.action).toMatchObject({
      workflowType: 'reconcileWorkflow',
      taskQueue: procs.env.TEMPORAL_TASK_QUEUE,
      args: [{ graceSeconds: 60, repair: false }],
    });
    expect(reconcile.spec.intervals?.[0].every).toBe(900 * 1000);
    const started = JSON.parse(procs.worker.stdout.find((l) => l.includes('"worker started"'))!);
    expect(started.schedules).toEqual([RETENTION_SCHEDULE_ID, RECONCILE_SCHEDULE_ID, WEEKLY_INSIGHTS_SCHEDULE_ID]);
  });

  test('when a row drifted from its workflow, then a reconciliation in the worker logs it and sets the drift gauge', async () => {
    const { response, roomId } = await bookThroughProcesses(procs, dataSource, 'Drift');
    expect(response.status).toBe(201);
    const booking = await response.json();
    await dataSource.query("UPDATE bookings SET title = 'Changed by hand' WHERE id = $1", [booking.id]);

    const input: ReconcileInput = { graceSeconds: 0, repair: false, roomIds: [roomId] };
    const report = await temporal.workflow.execute<(i: ReconcileInput) => Promise<ReconcileReport>>(
      RECONCILE_WORKFLOW_TYPE,
      {
        taskQueue: procs.env.TEMPORAL_TASK_QUEUE!,
        workflowId: `reconcile-test-${booking.id}`,
        args: [input],
      },
    );
    expect(report.drift).toEqual([
      expect.objectContaining({ kind: 'row_differs', bookingId: booking.id, repaired: false }),
    ]);

    const metrics = await (await fetch(`http://127.0.0.1:${procs.env.WORKER_METRICS_PORT}/metrics`)).text();
    expect(metrics).toMatch(/roombook_reconcile_drift\{[^}]*kind="row_differs"[^}]*\} 1\b/);
    const line = await procs.worker.waitForLine((l) => l.includes('reconciliation found drift'), 'the drift log line');
    expect(JSON.parse(line)).toMatchObject({ level: 40, drift: { row_differs: 1 } });
    expect(procs.worker.stdout.some((l) => l.includes(`reconciliation: row_differs ${booking.workflowId}`))).toBe(true);
  });

  test('when the worker runs, then its metrics carry its resident memory and its main thread heap', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${procs.env.WORKER_METRICS_PORT}/metrics`)).text();
    const value = (kind: string) =>
      Number(metrics.match(new RegExp(`roombook_worker_memory_bytes\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`))?.[1]);
    // A Node process with the SDK loaded is never under 20 MiB, and its heap sits inside its RSS.
    expect(value('rss')).toBeGreaterThan(20 * 2 ** 20);
    expect(value('heap_used')).toBeGreaterThan(0);
    expect(value('heap_used')).toBeLessThan(value('rss'));
  });
});
