import { proxyActivities } from '@temporalio/workflow';
import type { OpsActivities } from '../activities/ops';
import type { RetentionInput, RetentionResult } from '../shared/ops-messages';

const { purgeExpiredRows } = proxyActivities<OpsActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 5 },
});

/** Started by the `roombook-retention` schedule: deletes rows nothing needs any more (ages from the config, in the schedule's action). */
export async function retentionWorkflow(input: RetentionInput): Promise<RetentionResult> {
  return purgeExpiredRows(input);
}
