import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../config';
import {
  WEEKLY_INSIGHTS_SCHEDULE_ID,
  WEEKLY_INSIGHTS_WORKFLOW_TYPE,
  type WeeklyInsightsInput,
} from '../shared/insights-messages';
import { upsertSchedule } from './schedules';

/** The weekly insights mail's schedule as the configuration asks for it. */
export function weeklyInsightsSchedule(
  config: Pick<Config, 'insights'>,
  options: { taskQueue: string; idPrefix?: string },
): ScheduleOptions {
  const id = `${options.idPrefix ?? ''}${WEEKLY_INSIGHTS_SCHEDULE_ID}`;
  const input: WeeklyInsightsInput = { worstRooms: config.insights.mail.worstRooms };
  return {
    scheduleId: id,
    spec: { cronExpressions: [config.insights.mail.cron] },
    action: {
      type: 'startWorkflow',
      workflowType: WEEKLY_INSIGHTS_WORKFLOW_TYPE,
      workflowId: id,
      taskQueue: options.taskQueue,
      args: [input],
    },
    // A week missed while the cluster was down is still sent within a day; never two runs at once.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    memo: { description: "The past week's room insights to facility managers (README, Insights)" },
  };
}

/** Creates the schedule, or brings an existing one up to the configuration; any worker start may call it. */
export async function ensureWeeklyInsightsSchedule(
  client: Client,
  config: Pick<Config, 'insights'>,
  options: { taskQueue: string; idPrefix?: string },
): Promise<string> {
  return upsertSchedule(client, weeklyInsightsSchedule(config, options));
}
