import type { Config } from '../config';
import { heatmapUsage, insightsSplit, roomUsage } from '../db/repositories/insights';
import type { Queryable } from '../db/queryable';
import { insightsReport, type InsightsReport, type InsightsWindow } from '../domain/insights';

/** The insights report for a window: the API's route and the weekly mail's activity both read it here. */
export async function readInsightsReport(
  db: Queryable,
  settings: Config['insights'],
  window: InsightsWindow,
  filter: { building?: string; roomId?: string } = {},
  now = new Date(),
): Promise<InsightsReport> {
  const scope = {
    from: new Date(window.from),
    to: new Date(window.to),
    ...filter,
    now,
    lateCancellationSeconds: settings.lateCancellationSeconds,
  };
  // One statement at a time: pg deprecates overlapping queries on one client.
  const split = await insightsSplit(db, scope);
  const usage = await roomUsage(db, scope, split);
  const heat = await heatmapUsage(db, scope, split);
  return insightsReport(window, usage, heat, settings.openingHours);
}
