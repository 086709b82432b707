import type Router from '@koa/router';
import { parseWindow } from '../../domain/availability';
import { roomAvailability, searchAvailability } from '../services/room-availability';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import { availabilitySchema, roomIdParams, searchQuery, searchResultSchema, windowQuery } from '../schemas/rooms';

/** Says whether Redis answered (hit), was filled (miss) or was down (bypass): for operators and tests. */
const CACHE_HEADER = 'X-Availability-Cache';

export function availabilityRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const deps = api.deps;
  const tags = ['availability'];

  route({
    method: 'get',
    path: '/rooms/:id/availability',
    summary: 'Busy and free intervals of a room (free on its slot grid, buffers honoured); window up to 31 days',
    tags,
    secured: true,
    before: [api.access.room()],
    params: roomIdParams,
    query: windowQuery,
    responses: {
      200: { description: 'Busy and free intervals', schema: availabilitySchema },
      404: { description: 'No such room', schema: errorSchema },
    },
    handler: async (ctx, { params, query }) => {
      const window = parseWindow(query.from, query.to);
      const { value, cache } = await roomAvailability(deps, params.id, window);
      ctx.set(CACHE_HEADER, cache);
      ctx.body = value;
    },
  });

  route({
    method: 'get',
    path: '/availability',
    summary:
      'Rooms free for the whole window, best fit first (smallest capacity that fits, then rating), with each next busy time',
    tags,
    secured: true,
    before: [api.access.user()],
    query: searchQuery,
    responses: { 200: { description: 'Free rooms', schema: searchResultSchema } },
    handler: async (ctx, { query }) => {
      const { from, to, limit, ...filters } = query;
      const { value, cache } = await searchAvailability(deps, parseWindow(from, to), filters, limit);
      ctx.set(CACHE_HEADER, cache);
      ctx.body = value;
    },
  });

  return router;
}
