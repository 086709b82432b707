// The weekly insights mail: shared by its schedule, workflow and activity. No I/O here.

export const WEEKLY_INSIGHTS_WORKFLOW_TYPE = 'weeklyInsightsWorkflow';
export const WEEKLY_INSIGHTS_SCHEDULE_ID = 'roombook-weekly-insights';

export interface WeeklyInsightsInput {
  /** How many rooms with the worst ghost rates the mail lists. */
  worstRooms: number;
  /** Operators: report (again) the week ending at this instant; each recipient still gets it once. */
  weekEnding?: string;
}

export interface WeeklyInsightsRequest extends WeeklyInsightsInput {
  /** The end of the reported week (the run's start, to the hour): names the week in every Message-ID. */
  weekEnding: string;
}

export interface WeeklyInsightsResult {
  weekEnding: string;
  sent: number;
  alreadySent: number;
}
