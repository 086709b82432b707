import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { CalendarFeedRepository } from '../../db/repositories/calendar-feeds';
import { unauthorized } from '../../domain/errors';
import { roomCalendarView, roomIcs, userIcs } from '../services/room-calendar';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema, z } from '../http/openapi';
import { roomIdParams } from '../schemas/rooms';

const feedQuery = z.object({
  token: z.string().min(1).max(200).optional().openapi({
    description: 'Calendar feed secret from POST /users/me/calendar-feed, for apps that cannot send a bearer header',
  }),
});

const calendarViewQuery = z.object({
  view: z.enum(['day', 'week']).default('day'),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a calendar date YYYY-MM-DD')
    .optional()
    .openapi({
      description: 'A day in the room time zone (default: today there); a week view shows its Monday-to-Sunday week',
      example: '2026-10-25',
    }),
});

const viewBookingSchema = z.object({
  id: z.string().uuid(),
  title: z.string(),
  status: z.string(),
  start: z.string().datetime(),
  end: z.string().datetime(),
  localStart: z.string().openapi({ description: 'start with the room offset, e.g. 2026-10-25T02:30:00+02:00' }),
  localEnd: z.string(),
  organizer: z.object({ id: z.string().uuid(), name: z.string() }),
});

const calendarViewSchema = z
  .object({
    roomId: z.string().uuid(),
    timezone: z.string(),
    view: z.enum(['day', 'week']),
    from: z.string().datetime(),
    to: z.string().datetime(),
    days: z.array(
      z.object({
        date: z.string(),
        start: z.string().datetime(),
        end: z.string().datetime(),
        hours: z.number().openapi({ description: '24, or 23/25 across a daylight-saving change' }),
        bookings: z.array(viewBookingSchema),
      }),
    ),
  })
  .openapi('RoomCalendarView');

const feedSchema = z
  .object({
    token: z.string().openapi({ description: 'Shown once; only its hash is stored' }),
    url: z.string().url().openapi({ description: 'Subscribe to this URL in a calendar app' }),
    createdAt: z.string().datetime(),
  })
  .openapi('CalendarFeed');

const ics = z.string().openapi({ description: 'RFC 5545 iCalendar' });

export function calendarsRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const deps = api.deps;
  const feeds = () => new CalendarFeedRepository(deps.dataSource);
  const tags = ['calendars'];

  /** A feed secret in ?token= stands in for the bearer header; without one, the usual check. */
  const feedOrBearer =
    (fallback: Middleware): Middleware =>
    async (ctx, next) => {
      const token = typeof ctx.query.token === 'string' ? ctx.query.token : undefined;
      if (!token) return fallback(ctx, next);
      const owner = await feeds().ownerOf(token);
      if (!owner || owner.role === ('display' as string))
        throw unauthorized('The calendar feed token is invalid or was revoked.');
      ctx.state.principal = { kind: 'user', userId: owner.userId, role: owner.role };
      await next();
    };

  const sendIcs = (ctx: Context, feed: { filename: string; body: string }) => {
    ctx.type = 'text/calendar; charset=utf-8';
    ctx.set('Content-Disposition', `inline; filename="${feed.filename}"`);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = feed.body;
  };

  route({
    method: 'get',
    path: '/rooms/:id/calendar',
    summary: "A room's day or week in its time zone",
    tags,
    secured: true,
    before: [api.access.room()],
    params: roomIdParams,
    query: calendarViewQuery,
    responses: {
      200: { description: 'The days with their bookings', schema: calendarViewSchema },
      404: { description: 'No such room', schema: errorSchema },
    },
    handler: async (ctx, { params, query }) => {
      ctx.body = await roomCalendarView(deps, params.id, query.view, query.date);
    },
  });

  route({
    method: 'get',
    path: '/rooms/:id/calendar.ics',
    summary: "A room's bookings as an iCalendar feed (bearer or ?token=)",
    tags,
    secured: true,
    before: [feedOrBearer(api.access.room())],
    params: roomIdParams,
    query: feedQuery,
    responses: {
      200: { description: 'iCalendar feed', schema: ics, contentType: 'text/calendar' },
      404: { description: 'No such room', schema: errorSchema },
    },
    handler: async (ctx, { params }) => {
      sendIcs(ctx, await roomIcs(deps, params.id));
    },
  });

  route({
    method: 'get',
    path: '/users/me/calendar.ics',
    summary: 'My bookings (organised or attending) as an iCalendar feed (?token= or bearer)',
    tags,
    secured: true,
    before: [feedOrBearer(api.access.user())],
    query: feedQuery,
    responses: { 200: { description: 'iCalendar feed', schema: ics, contentType: 'text/calendar' } },
    handler: async (ctx) => {
      const principal = principalOf(ctx);
      if (principal.kind !== 'user') throw unauthorized();
      sendIcs(ctx, await userIcs(deps, principal.userId));
    },
  });

  const userId = (ctx: Context): string => {
    const principal = principalOf(ctx);
    if (principal.kind !== 'user') throw unauthorized();
    return principal.userId;
  };

  route({
    method: 'get',
    path: '/users/me/calendar-feed',
    summary: 'Whether my calendar feed URL is active',
    tags,
    secured: true,
    before: [api.access.user()],
    responses: {
      200: {
        description: 'Status',
        schema: z.object({ active: z.boolean(), createdAt: z.string().datetime().nullable() }),
      },
    },
    handler: async (ctx) => {
      const active = await feeds().active(userId(ctx));
      ctx.body = { active: Boolean(active), createdAt: active?.createdAt ?? null };
    },
  });

  route({
    method: 'post',
    path: '/users/me/calendar-feed',
    summary: 'Create or rotate my secret calendar feed URL (the old one stops working)',
    tags,
    secured: true,
    before: [api.access.user()],
    responses: { 201: { description: 'The new feed URL, shown once', schema: feedSchema } },
    handler: async (ctx) => {
      const { token, createdAt } = await feeds().rotate(userId(ctx));
      ctx.status = 201;
      ctx.body = { token, url: `${deps.config.publicUrl}/api/v1/users/me/calendar.ics?token=${token}`, createdAt };
    },
  });

  route({
    method: 'delete',
    path: '/users/me/calendar-feed',
    summary: 'Revoke my calendar feed URL',
    tags,
    secured: true,
    before: [api.access.user()],
    responses: { 204: { description: 'Revoked (or there was none)' } },
    handler: async (ctx) => {
      await feeds().revoke(userId(ctx));
      ctx.status = 204;
    },
  });

  return router;
}
