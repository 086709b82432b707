/** Messages and types of the system check workflow: proves a worker runs workflows and activities end to end. */
export interface SystemCheckResult {
  workflowId: string;
  database: string;
  checkedAt: string;
}

export const systemCheckWorkflowType = 'systemCheckWorkflow';
