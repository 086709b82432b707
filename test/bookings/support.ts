import { WorkflowNotFoundError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { RoomPolicy } from '../../src/shared/booking';
import { createRoom, createUser, type TestRoom, type TestUser } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { call } from '../support/http';
import { startStackWithWorker, type StackWithWorker, type TestStack } from '../support/stack';
import type { Config } from '../../src/config';

// The shared helpers, where the booking tests (and many others) have always imported them from.
export { call, eventually };

/** Every lifecycle duration in seconds, so a whole booking life runs in a few seconds. */
export const FAST_POLICY: Partial<RoomPolicy> = {
  slotGranularitySeconds: 1,
  holdTtlSeconds: 30,
  approvalTimeoutSeconds: 30,
  requiresCheckIn: true,
  checkInOpensBeforeSeconds: 30,
  checkInGraceSeconds: 30,
  reminderLeadSeconds: 0,
  minNoticeSeconds: 0,
  maxDurationSeconds: 7200,
  horizonDays: 30,
  bufferSeconds: 0,
  reviewPromptDelaySeconds: 0,
  reviewWindowSeconds: 2,
};

export type BookingStack = StackWithWorker;

export function startBookingStack(overrides: Partial<Config> = {}): Promise<BookingStack> {
  return startStackWithWorker(overrides);
}

/**
 * Slot times relative to one instant taken once per test (rounded up to a whole second), so that
 * every call in a test agrees even when a second boundary passes between them.
 */
export function clock(base = Date.now()): (seconds: number) => string {
  const origin = Math.ceil(base / 1000) * 1000;
  return (seconds) => new Date(origin + seconds * 1000).toISOString();
}

export const room = (
  stack: TestStack,
  policy: Partial<RoomPolicy> = {},
  opts: Parameters<typeof createRoom>[1] = {},
): Promise<TestRoom> => createRoom(stack, { ...opts, policy: { ...FAST_POLICY, ...policy } });

export const member = (stack: TestStack, opts: Parameters<typeof createUser>[1] = {}): Promise<TestUser> =>
  createUser(stack, opts);

export function book(
  stack: TestStack,
  user: TestUser,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return call(stack, user, 'POST', '/bookings', { title: `Meeting ${randomUUID().slice(0, 6)}`, ...body }, headers);
}

/** The booking's row in the read model. */
export async function row(stack: TestStack, id: string): Promise<Record<string, any>> {
  const [r] = await stack.deps.dataSource.query('SELECT * FROM bookings WHERE id = $1', [id]);
  return r;
}

/** Polls until the check passes or the limit is reached (a liveness bound, not a timing assertion). */
export async function statusOf(stack: TestStack, id: string): Promise<string> {
  return (await row(stack, id))?.status;
}

export async function waitForStatus(stack: TestStack, id: string, status: string, limitMs = 20000): Promise<string> {
  return eventually(
    () => statusOf(stack, id),
    (s) => s === status,
    limitMs,
    `booking ${id} has status ${status}`,
  );
}

/** The workflow's own state (the authority), through its query. */
export async function workflowState(stack: TestStack, workflowId: string) {
  return stack.deps.temporal.workflow.getHandle(workflowId).query<any>('state');
}

/** The run's status name, or NOT_FOUND while it does not exist (a follow-up not started yet). */
export async function workflowStatus(stack: TestStack, workflowId: string, runId?: string): Promise<string> {
  try {
    return (await stack.deps.temporal.workflow.getHandle(workflowId, runId).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'NOT_FOUND';
    throw err;
  }
}

export async function notifications(stack: TestStack, bookingId: string): Promise<string[]> {
  const rows = await stack.deps.dataSource.query(
    'SELECT kind FROM booking_notifications WHERE booking_id = $1 ORDER BY id',
    [bookingId],
  );
  return rows.map((r: { kind: string }) => r.kind);
}
