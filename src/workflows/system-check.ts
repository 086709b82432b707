import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SystemActivities } from '../activities/system';
import type { SystemCheckResult } from '../shared/system-check';

const { describeDatabase } = proxyActivities<SystemActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/** Runs one activity against Postgres: operators and tests use it to prove the worker is healthy. */
export async function systemCheckWorkflow(): Promise<SystemCheckResult> {
  const database = await describeDatabase();
  return { workflowId: workflowInfo().workflowId, database, checkedAt: new Date().toISOString() };
}
