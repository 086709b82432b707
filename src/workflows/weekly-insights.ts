import { proxyActivities } from '@temporalio/workflow';
import type { InsightsActivities } from '../activities/insights';
import type { WeeklyInsightsInput, WeeklyInsightsResult } from '../shared/insights-messages';

const { sendWeeklyInsights } = proxyActivities<InsightsActivities>({
  startToCloseTimeout: '10 minutes',
  // SMTP may be down for a while: each attempt skips what an earlier one delivered.
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 20 },
});

const HOUR = 3_600_000;

/** Started by the `roombook-weekly-insights` schedule: the past week's figures to facility managers. */
export async function weeklyInsightsWorkflow(input: WeeklyInsightsInput): Promise<WeeklyInsightsResult> {
  // The workflow's clock (deterministic), up to the end of its hour: a run caught up or triggered
  // again within the hour names the same week, so nobody gets the same week twice; the week
  // includes what started up to the run.
  const weekEnding = input.weekEnding ?? new Date(Math.ceil(new Date().getTime() / HOUR) * HOUR).toISOString();
  return sendWeeklyInsights({ ...input, weekEnding });
}
