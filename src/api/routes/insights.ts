import type Router from '@koa/router';
import { resourceRouter, type ApiContext } from '../context';
import { insightsCsv } from '../services/insights-service';
import { roomInsightsQuery, roomInsightsSchema } from '../schemas/insights';

/** Insights for staff: how rooms are really used. */
export function insightsRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);

  route({
    method: 'get',
    path: '/insights/rooms',
    summary:
      'Per room, building and period: bookings, booked and used hours, no-shows and ghost rate, released, rebooked and recovered hours, late cancellations, utilization, an hour-of-week heatmap (staff). CSV (one row per room) with Accept: text/csv or format=csv.',
    tags: ['insights'],
    secured: true,
    before: [api.access.staff()],
    query: roomInsightsQuery,
    responses: {
      200: { description: 'The figures (text/csv when asked for)', schema: roomInsightsSchema },
      422: { description: 'WINDOW_TOO_LONG: more than 366 days' },
    },
    handler: async (ctx, { query }) => {
      const report = await api.services.insights.rooms(query);
      const csv =
        query.format === 'csv' || (query.format === undefined && ctx.accepts('json', 'text/csv') === 'text/csv');
      if (!csv) {
        ctx.body = report;
        return;
      }
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="room-insights.csv"`);
      ctx.body = insightsCsv(report);
    },
  });

  return router;
}
