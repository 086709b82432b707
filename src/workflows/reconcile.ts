import { proxyActivities } from '@temporalio/workflow';
import type { OpsActivities } from '../activities/ops';
import type { ReconcileInput, ReconcileReport } from '../shared/ops-messages';

const { reconcileBookings } = proxyActivities<OpsActivities>({
  startToCloseTimeout: '30 minutes',
  // It reads every active row and running workflow: a worker that dies mid-way is noticed within a minute.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', maximumAttempts: 3 },
});

/** Started by the `roombook-reconcile` schedule: compares booking rows with their workflows, reports drift and repairs it. */
export async function reconcileWorkflow(input: ReconcileInput): Promise<ReconcileReport> {
  return reconcileBookings(input);
}
