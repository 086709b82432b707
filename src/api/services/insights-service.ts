import { stringify } from 'csv-stringify/sync';
import { INSIGHTS_CSV_COLUMNS, insightsWindow, type InsightsReport } from '../../domain/insights';
import { readInsightsReport } from '../../insights/report';
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

  rooms(query: InsightsQuery): Promise<InsightsReport> {
    const window = insightsWindow(query.from, query.to);
    return readInsightsReport(this.deps.dataSource, this.deps.config.insights, window, {
      building: query.building,
      roomId: query.roomId,
    });
  }
}

/** One row per room, the columns of INSIGHTS_CSV_COLUMNS; an empty ratio is an empty cell. */
export function insightsCsv(report: InsightsReport): string {
  return stringify(report.rooms, { header: true, columns: [...INSIGHTS_CSV_COLUMNS] });
}
