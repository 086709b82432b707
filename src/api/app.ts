import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import Koa from 'koa';
import { Histogram } from 'prom-client';
import { createAccess } from './auth/access';
import type { ApiContext } from './context';
import type { AppDeps } from './deps';
import { httpMetrics, requestContext } from './http/middleware';
import { createOpenApiRegistry } from './http/openapi';
import { authRouter } from './routes/auth';
import { displayTokensRouter } from './routes/display-tokens';
import { bookingsRouter } from './routes/bookings';
import { opsRouter } from './routes/ops';
import { usersRouter } from './routes/users';
import { roomsRouter } from './routes/rooms';
import { availabilityRouter } from './routes/availability';
import { calendarsRouter } from './routes/calendars';
import { reviewsRouter } from './routes/reviews';
import { roomDisplaysRouter } from './routes/room-displays';
import { displayPageRouter } from './display/page';
import { insightsPageRouter } from './insights/page';
import { mailRouter } from './routes/mail';
import { seriesRouter } from './routes/series';
import { oidcRouter } from './routes/oidc';
import { waitlistRouter } from './routes/waitlist';
import { insightsRouter } from './routes/insights';
import { webhooksRouter } from './routes/webhooks';
import { ticketsRouter } from './routes/tickets';
import { outagesRouter } from './routes/outages';
import { createServices, type ApiServices } from './services';

/** Every resource router, in the order they are mounted. */
const resourceRouters: ((api: ApiContext) => Router)[] = [
  authRouter,
  oidcRouter,
  usersRouter,
  displayTokensRouter,
  roomsRouter,
  availabilityRouter,
  calendarsRouter,
  bookingsRouter,
  roomDisplaysRouter,
  seriesRouter,
  mailRouter,
  reviewsRouter,
  waitlistRouter,
  insightsRouter,
  webhooksRouter,
  ticketsRouter,
  outagesRouter,
];

const registries = new WeakMap<Koa, OpenAPIRegistry>();

/** The OpenAPI registry every route of an app registered itself in (for documents built without serving). */
export function registryOf(app: Koa): OpenAPIRegistry {
  const registry = registries.get(app);
  if (!registry) throw new Error('Not an app built by createApp');
  return registry;
}

/**
 * Builds the Koa app without listening; server.ts listens, tests use port 0. The services come
 * from the composition root (createServices), shared with the socket server when given.
 */
export function createApp(deps: AppDeps, services: ApiServices = createServices(deps)): Koa {
  const app = new Koa();
  // Per-IP rate limits key on ctx.ip: trust X-Forwarded-For only behind a proxy that sets it.
  app.proxy = deps.config.trustProxy;
  const registry = createOpenApiRegistry();
  const { verifier } = services;
  const api: ApiContext = { deps, registry, access: createAccess(verifier), verifier, services };
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [deps.metrics],
  });

  // Outside the error handler so it records the status the client finally got.
  app.use(httpMetrics(httpDuration));
  app.use(requestContext(deps.logger));
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: deps.config.bodyLimit, jsonStrict: true, encoding: 'utf-8' }));

  for (const router of [opsRouter(deps, registry), ...resourceRouters.map((build) => build(api))]) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
  // The room display page and its assets (outside /api/v1: it is a page, not an API).
  app.use(displayPageRouter().routes());
  app.use(insightsPageRouter().routes());
  registries.set(app, registry);
  return app;
}
