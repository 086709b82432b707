import { stringify } from 'csv-stringify/sync';
import { INSIGHTS_CSV_COLUMNS, insightsReport, insightsWindow, type InsightsReport } from '../../domain/insights';
import { heatmapUsage, roomUsage, type InsightsScope } from '../../db/repositories/insights';
import type { AppDeps } from '../deps';

export interface InsightsQuery {
  from: string;
  to: string;
  building?: string;
  roomId?: string;
}

/** How rooms are really used (DESIGN.md, "Insights"), for staff: JSON and CSV. */
export class InsightsService {
  constructor(private readonly deps: Pick<AppDeps, 'dataSource' | 'config'>) {}

  async rooms(query: InsightsQuery, now = new Date()): Promise<InsightsReport> {
    const window = insightsWindow(query.from, query.to);
    const scope: InsightsScope = {
      from: new Date(window.from),
      to: new Date(window.to),
      building: query.building,
      roomId: query.roomId,
      now,
      lateCancellationSeconds: this.deps.config.insights.lateCancellationSeconds,
    };
    // One statement at a time: pg deprecates overlapping queries on one client.
    const usage = await roomUsage(this.deps.dataSource, scope);
    const heat = await heatmapUsage(this.deps.dataSource, scope);
    return insightsReport(window, usage, heat, this.deps.config.insights.openingHours);
  }
}

/** One row per room, the columns of INSIGHTS_CSV_COLUMNS; an empty ratio is an empty cell. */
export function insightsCsv(report: InsightsReport): string {
  return stringify(report.rooms, { header: true, columns: [...INSIGHTS_CSV_COLUMNS] });
}
