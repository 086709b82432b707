import { Context } from '@temporalio/activity';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { noopMetricMeter, WorkflowNotFoundError, type MetricMeter } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { BookingRow } from '../db/repositories/bookings';
import {
  activeBookingRows,
  bookingRowsByIds,
  cancelOrphanedRow,
  rewriteFromWorkflowState,
  type RepairResult,
} from '../db/repositories/reconcile';
import { purgeExpired } from '../db/repositories/retention';
import { expirePassedWaitlistEntries } from '../db/repositories/waitlist';
import { invalidateRoomAvailability } from '../infra/availability-cache';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';
import { TERMINAL_STATUSES } from '../shared/booking-lifecycle';
import {
  BOOKING_WORKFLOW_TYPE,
  bookingStateQuery,
  type BookingOutcome,
  type BookingView,
} from '../shared/booking-messages';
import {
  DRIFT_KINDS,
  type Drift,
  type DriftKind,
  type ReconcileInput,
  type ReconcileReport,
  type RetentionInput,
  type RetentionResult,
} from '../shared/ops-messages';
import { BookingIdKey } from '../shared/search-attributes';
import type { ActivityDeps } from './deps';

/** The fields of a booking both the row and the workflow's state query carry, compared one by one. */
const COMPARED: (keyof BookingView)[] = [
  'status',
  'statusReason',
  'title',
  'attendees',
  'start',
  'end',
  'holdExpiresAt',
  'checkInOpensAt',
  'checkInDeadline',
  'checkedInAt',
  'workflowId',
  'version',
  'sequence',
];

export function differences(row: BookingView, state: BookingView): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const field of COMPARED) {
    const a = row[field];
    const b = state[field];
    const same =
      Array.isArray(a) && Array.isArray(b)
        ? a.length === b.length && a.every((v, i) => v === b[i])
        : (a ?? null) === (b ?? null);
    if (!same) out[field] = [a ?? null, b ?? null];
  }
  return out;
}

export interface ReconcileDeps {
  dataSource: DataSource;
  redis: Redis;
  temporal: Client;
  logger: Logger;
  /** Made once per worker (createOpsMetrics); the CLI has none. */
  metrics?: OpsMetrics;
  /** Called between items: the activity heartbeats. */
  progress?: () => void;
}

export type OpsMetrics = ReturnType<typeof createOpsMetrics>;

export function createOpsMetrics(meter: MetricMeter = noopMetricMeter) {
  const drift = meter.createGauge(
    'roombook_reconcile_drift',
    'int',
    'bookings',
    'Drift found by the last reconciliation run, by kind',
  );
  const repairs = meter.createCounter(
    'roombook_reconcile_repairs_total',
    'bookings',
    'Rows repaired by reconciliation, by kind',
  );
  const purged = meter.createCounter('roombook_retention_purged_total', 'rows', 'Rows deleted by retention, by table');
  return { drift, repairs, purged };
}

const ms = (iso: string) => Date.parse(iso);
const QUERY_DEADLINE_MS = 10_000;

/**
 * Compares every active booking row with its workflow and every running booking workflow with
 * its row; reports drift (log lines, metrics, the returned report) and, with `repair`, repairs it.
 * The workflow is the authority: a differing row is rewritten from the workflow's state; an active
 * row whose workflow is gone is cancelled with a statusReason. Used by the reconcile schedule's
 * activity and by `npm run reconcile`.
 */
export async function reconcile(deps: ReconcileDeps, input: ReconcileInput): Promise<ReconcileReport> {
  const metrics = deps.metrics ?? createOpsMetrics();
  const startedAt = new Date();
  const cutoff = startedAt.getTime() - input.graceSeconds * 1000;
  const drift: Drift[] = [];
  const checked = new Set<string>();

  const record = async (
    item: Omit<Drift, 'repaired'>,
    repairWith?: () => Promise<RepairResult>,
    roomId?: string,
  ): Promise<void> => {
    let result: RepairResult = {
      ok: false,
      reason: input.repair ? 'reported only: needs a person (docs/operations.md)' : 'report only (repair off)',
    };
    if (input.repair && repairWith) result = await repairWith();
    const entry: Drift = { ...item, repaired: result.ok, ...(result.ok ? {} : { unrepairedReason: result.reason }) };
    drift.push(entry);
    if (result.ok) {
      metrics.repairs.add(1, { kind: entry.kind });
      if (roomId) await invalidateRoomAvailability(deps.redis, roomId);
    }
    deps.logger.warn(
      { drift: entry },
      `reconciliation: ${entry.kind} ${entry.workflowId}${result.ok ? ' (repaired)' : ''}`,
    );
  };

  const compare = async (row: BookingRow, state: BookingView): Promise<void> => {
    // A change in flight (the row or the state newer than the grace period) is left for the next run.
    if (ms(state.updatedAt) > cutoff || ms(row.updatedAt) > cutoff) return;
    const diff = differences(row, state);
    if (Object.keys(diff).length === 0) return;
    await record(
      { kind: 'row_differs', bookingId: row.id, workflowId: row.workflowId, details: diff },
      () => rewriteFromWorkflowState(deps.dataSource, row, state),
      row.roomId,
    );
  };

  /** The workflow's own state; undefined when it closed meanwhile or no worker answered in time (counted, left for the next run). */
  let unanswered = 0;
  const queryState = async (workflowId: string): Promise<BookingView | undefined> => {
    try {
      return await deps.temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        deps.temporal.workflow.getHandle(workflowId).query(bookingStateQuery),
      );
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) {
        unanswered += 1;
        deps.logger.warn(
          { workflowId, err: (err as Error).message },
          'reconciliation: the workflow did not answer its state query',
        );
      }
      return undefined;
    }
  };

  /** How a closed slot workflow ended its booking, when it ended it in a terminal status (not refused or moved). */
  const endedAs = async (
    handle: ReturnType<Client['workflow']['getHandle']>,
    bookingId: string,
  ): Promise<BookingRow['status'] | undefined> => {
    const outcome = (await handle.result().catch(() => undefined)) as BookingOutcome | undefined;
    if (outcome?.bookingId !== bookingId) return undefined;
    return (TERMINAL_STATUSES as string[]).includes(outcome.result)
      ? (outcome.result as BookingRow['status'])
      : undefined;
  };

  /** The running booking workflow that carries a booking, by its BookingId search attribute. */
  const runningCarrier = async (bookingId: string): Promise<BookingView | undefined> => {
    const query = `WorkflowType = '${BOOKING_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND BookingId = '${bookingId.replace(/'/g, '')}'`;
    for await (const wf of deps.temporal.workflow.list({ query })) {
      const state = await queryState(wf.workflowId);
      if (state?.id === bookingId && ms(state.updatedAt) <= cutoff) return state;
    }
    return undefined;
  };

  // 1. Every active row against its workflow.
  const rows = await activeBookingRows(deps.dataSource, input);
  for (const row of rows) {
    deps.progress?.();
    checked.add(row.workflowId);
    const handle = deps.temporal.workflow.getHandle(row.workflowId);
    let description: WorkflowExecutionDescription | undefined;
    try {
      description = await handle.describe();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const status = description?.status.name ?? 'NOT_FOUND';
    if (status !== 'RUNNING') {
      // A move whose update the Temporal server lost after its row was written: the row names the
      // new slot's workflow, which never started, and the booking runs on in its old one.
      const carrier = await runningCarrier(row.id);
      if (carrier) {
        await record(
          {
            kind: 'row_differs',
            bookingId: row.id,
            workflowId: row.workflowId,
            details: { workflowId: carrier.workflowId },
          },
          () => rewriteFromWorkflowState(deps.dataSource, row, carrier),
          row.roomId,
        );
        continue;
      }
      const reason = `reconciliation: its workflow ${row.workflowId} is ${status.toLowerCase().replace(/_/g, ' ')}; the slot was freed`;
      await record(
        {
          kind: 'workflow_gone',
          bookingId: row.id,
          workflowId: row.workflowId,
          details: { workflowStatus: status, rowStatus: row.status },
        },
        async () => {
          // A change whose update the Temporal server lost may have written the row (say confirmed)
          // after which the workflow ended the booking (say expired) with the same version, which
          // the row then refused: the workflow's own end is the booking's.
          const ended = status === 'COMPLETED' ? await endedAs(handle, row.id) : undefined;
          return ended
            ? cancelOrphanedRow(
                deps.dataSource,
                row,
                `reconciliation: ${ended} by its workflow ${row.workflowId}`,
                ended,
              )
            : cancelOrphanedRow(deps.dataSource, row, reason);
        },
        row.roomId,
      );
      continue;
    }
    const state = await queryState(row.workflowId);
    if (state) await compare(row, state);
  }

  // 2. Every running booking workflow against its row (those not seen above: their rows are closed or missing).
  const rooms = input.roomIds?.length
    ? ` AND RoomId IN (${input.roomIds.map((id) => `'${id.replace(/'/g, '')}'`).join(', ')})`
    : '';
  const running: { workflowId: string; bookingId?: string; startTime: Date }[] = [];
  for await (const wf of deps.temporal.workflow.list({
    query: `WorkflowType = '${BOOKING_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'${rooms}`,
  })) {
    if (checked.has(wf.workflowId)) continue;
    running.push({
      workflowId: wf.workflowId,
      bookingId: wf.typedSearchAttributes.get(BookingIdKey),
      startTime: wf.startTime,
    });
  }
  const byId = await bookingRowsByIds(
    deps.dataSource,
    running.flatMap((w) => (w.bookingId ? [w.bookingId] : [])),
  );
  let checkedWorkflows = 0;
  for (const wf of running) {
    deps.progress?.();
    if (wf.startTime.getTime() > cutoff) continue;
    checkedWorkflows += 1;
    const state = await queryState(wf.workflowId);
    if (!state) continue;
    const row = byId.get(state.id);
    if (!row) {
      await record({
        kind: 'row_missing',
        bookingId: state.id,
        workflowId: wf.workflowId,
        details: { workflowStatus: state.status },
      });
    } else if (row.workflowId !== wf.workflowId) {
      await record({
        kind: 'workflow_stale',
        bookingId: row.id,
        workflowId: wf.workflowId,
        details: { rowWorkflowId: row.workflowId, rowStatus: row.status },
      });
    } else {
      await compare(row, state);
    }
  }

  for (const kind of DRIFT_KINDS) metrics.drift.set(drift.filter((d) => d.kind === kind).length, { kind });
  const report: ReconcileReport = {
    checkedRows: rows.length,
    checkedWorkflows,
    unanswered,
    drift,
    repaired: drift.filter((d) => d.repaired).length,
    startedAt: startedAt.toISOString(),
  };
  const summary = {
    checkedRows: report.checkedRows,
    checkedWorkflows: report.checkedWorkflows,
    unanswered,
    drift: countBy(drift),
    repaired: report.repaired,
  };
  if (drift.length) deps.logger.warn(summary, 'reconciliation found drift');
  else deps.logger.info(summary, 'reconciliation: rows and workflows agree');
  return report;
}

const countBy = (drift: Drift[]): Partial<Record<DriftKind, number>> =>
  drift.reduce<Partial<Record<DriftKind, number>>>((acc, d) => ({ ...acc, [d.kind]: (acc[d.kind] ?? 0) + 1 }), {});

/** The activities the retention and reconcile schedules' workflows run. */
export function createOpsActivities(deps: ActivityDeps) {
  const metrics = createOpsMetrics(deps.meter);
  return {
    async purgeExpiredRows(input: RetentionInput): Promise<RetentionResult> {
      const counts = await purgeExpired(deps.dataSource, input);
      for (const [table, n] of Object.entries(counts)) if (n > 0) metrics.purged.add(n, { table });
      const waitlistEntriesExpired = await expirePassedWaitlistEntries(deps.dataSource);
      deps.logger.info(
        { purged: counts, waitlistEntriesExpired, ages: input },
        'retention: expired rows deleted, passed waitlist entries ended',
      );
      return { ...counts, waitlistEntriesExpired };
    },
    async reconcileBookings(input: ReconcileInput): Promise<ReconcileReport> {
      const context = Context.current();
      return reconcile({ ...deps, metrics, progress: () => context.heartbeat() }, input);
    },
  };
}

export type OpsActivities = ReturnType<typeof createOpsActivities>;
