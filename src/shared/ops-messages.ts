// Retention and reconciliation: inputs and results shared by the schedule workflows, their
// activities, the worker that creates the schedules and the `npm run reconcile` CLI. No I/O here.

export const RETENTION_WORKFLOW_TYPE = 'retentionWorkflow';
export const RECONCILE_WORKFLOW_TYPE = 'reconcileWorkflow';

/** Schedule ids in the Temporal namespace (the UI's Schedules page lists them). */
export const RETENTION_SCHEDULE_ID = 'roombook-retention';
export const RECONCILE_SCHEDULE_ID = 'roombook-reconcile';

export interface RetentionInput {
  refreshTokenSeconds: number;
  idempotencyKeySeconds: number;
  notificationSeconds: number;
  mailDeliverySeconds: number;
}

export interface RetentionResult {
  refreshTokens: number;
  refreshTokenFamilies: number;
  idempotencyKeys: number;
  notifications: number;
  mailDeliveries: number;
  imipReplies: number;
  /** Waitlist entries still waiting whose start passed, ended as expired (not deleted). */
  waitlistEntriesExpired: number;
}

export interface ReconcileInput {
  /** Rows and workflows changed within this many seconds are left for the next run (they may be mid-change). */
  graceSeconds: number;
  /** Repair what drifted (true), or only report it. */
  repair: boolean;
  /** Only these rooms (operators, tests); all rooms when absent. */
  roomIds?: string[];
}

/**
 * - `row_differs`: the row disagrees with its running workflow's state (repair: the row is rewritten from the state).
 * - `workflow_gone`: an active row whose workflow is closed (terminated, failed, timed out...) or missing
 *   (repair: the row is cancelled with a statusReason naming the workflow and how it ended; the slot is freed).
 * - `row_missing`: a running booking workflow with no row (reported only: the workflow should be cancelled through the API or CLI).
 * - `workflow_stale`: a running booking workflow that its row no longer names (reported only).
 */
export type DriftKind = 'row_differs' | 'workflow_gone' | 'row_missing' | 'workflow_stale';
export const DRIFT_KINDS: readonly DriftKind[] = ['row_differs', 'workflow_gone', 'row_missing', 'workflow_stale'];

export interface Drift {
  kind: DriftKind;
  bookingId?: string;
  workflowId: string;
  /** What differs: field → [row, workflow]; or how the workflow ended. */
  details: Record<string, unknown>;
  repaired: boolean;
  /** Why a repair was not made (report-only kinds, a row that changed meanwhile, a slot taken meanwhile). */
  unrepairedReason?: string;
}

export interface ReconcileReport {
  /** Active rows compared with their workflows (past the grace period). */
  checkedRows: number;
  /** Running booking workflows compared with their rows, besides those of the active rows. */
  checkedWorkflows: number;
  /** Workflows that did not answer their state query within 10 s (no worker polling?): looked at again next run. */
  unanswered: number;
  drift: Drift[];
  repaired: number;
  startedAt: string;
}
