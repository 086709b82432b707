import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../config';
import {
  RECONCILE_SCHEDULE_ID,
  RECONCILE_WORKFLOW_TYPE,
  RETENTION_SCHEDULE_ID,
  RETENTION_WORKFLOW_TYPE,
  type ReconcileInput,
  type RetentionInput,
} from '../shared/ops-messages';

export interface OpsScheduleOptions {
  taskQueue: string;
  /** Prefix of the schedule ids (tests run their own next to each other); none in production. */
  idPrefix?: string;
  /** Only these rooms (tests). */
  roomIds?: string[];
}

/** The two schedules as the configuration asks for them. */
export function opsSchedules(config: Pick<Config, 'ops'>, options: OpsScheduleOptions): ScheduleOptions[] {
  const { retention, reconcile } = config.ops;
  const prefix = options.idPrefix ?? '';
  const retentionInput: RetentionInput = {
    refreshTokenSeconds: retention.refreshTokenSeconds,
    idempotencyKeySeconds: retention.idempotencyKeySeconds,
    notificationSeconds: retention.notificationSeconds,
    mailDeliverySeconds: retention.mailDeliverySeconds,
  };
  const reconcileInput: ReconcileInput = {
    graceSeconds: reconcile.graceSeconds,
    repair: reconcile.repair,
    ...(options.roomIds?.length ? { roomIds: options.roomIds } : {}),
  };
  // One run at a time; a run missed while the cluster was down is made up once, not once per interval.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' } as const;
  return [
    {
      scheduleId: `${prefix}${RETENTION_SCHEDULE_ID}`,
      spec: { intervals: [{ every: `${retention.intervalSeconds}s` }] },
      action: {
        type: 'startWorkflow',
        workflowType: RETENTION_WORKFLOW_TYPE,
        workflowId: `${prefix}${RETENTION_SCHEDULE_ID}`,
        taskQueue: options.taskQueue,
        args: [retentionInput],
      },
      policies,
      memo: {
        description:
          'Deletes expired refresh tokens and families, idempotency keys, and delivery logs of long-closed bookings (docs/operations.md)',
      },
    },
    {
      scheduleId: `${prefix}${RECONCILE_SCHEDULE_ID}`,
      spec: { intervals: [{ every: `${reconcile.intervalSeconds}s` }] },
      action: {
        type: 'startWorkflow',
        workflowType: RECONCILE_WORKFLOW_TYPE,
        workflowId: `${prefix}${RECONCILE_SCHEDULE_ID}`,
        taskQueue: options.taskQueue,
        args: [reconcileInput],
      },
      policies,
      memo: {
        description: 'Compares booking rows with their workflows, reports drift and repairs it (docs/operations.md)',
      },
    },
  ];
}

/**
 * Creates the retention and reconcile schedules, or brings existing ones up to the configuration
 * (spec, action, policies): every worker start may call it, any number of workers at once.
 */
export async function ensureOpsSchedules(
  client: Client,
  config: Pick<Config, 'ops'>,
  options: OpsScheduleOptions,
): Promise<string[]> {
  const ids: string[] = [];
  for (const schedule of opsSchedules(config, options)) ids.push(await upsertSchedule(client, schedule));
  return ids;
}

/** Creates the schedule, or brings an existing one to this spec, action and policies; answers its id. */
export async function upsertSchedule(client: Client, schedule: ScheduleOptions): Promise<string> {
  try {
    await client.schedule.create(schedule);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(schedule.scheduleId).update((previous) => ({
      ...previous,
      spec: schedule.spec,
      action: schedule.action,
      policies: { ...previous.policies, ...schedule.policies },
    }));
  }
  return schedule.scheduleId;
}
