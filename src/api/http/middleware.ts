import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Histogram } from 'prom-client';
import { AppError } from '../../domain/errors';
import { dependencyError } from '../../infra/dependency-errors';
import type { Logger } from '../../infra/logger';

const CODES_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'POLICY_VIOLATION',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
  headers?: Record<string, string>;
}

/**
 * First middleware: a request id on every request and log line, then every error in the one JSON
 * shape. Only errors meant for the client show their message; anything else is a logged 500.
 */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = /^[A-Za-z0-9._-]{8,128}$/.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(
          404,
          'NOT_FOUND',
          `No route for ${ctx.method} ${ctx.path}. See /api/v1/openapi.json for the API.`,
        );
      }
    } catch (err) {
      respondWithError(ctx, err);
    } finally {
      // The access log: one line per request, at info (errors at error).
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const principal = ctx.state.principal as { userId?: string; displayTokenId?: string } | undefined;
      const line = {
        method: ctx.method,
        route: routeTemplate(ctx),
        path: ctx.path,
        status: ctx.status,
        durationMs: Math.round(ms * 10) / 10,
        ...(principal?.userId ? { userId: principal.userId } : {}),
        ...(principal?.displayTokenId ? { displayTokenId: principal.displayTokenId } : {}),
      };
      if (ctx.status >= 500) ctx.state.log.error(line, 'request failed');
      else ctx.state.log.info(line, 'request');
    }
  };
}

function respondWithError(ctx: Parameters<Middleware>[0], err: unknown): void {
  const dependency = err instanceof AppError ? undefined : dependencyError(err);
  if (dependency) {
    ctx.state.log.warn(
      { err: (err as Error).message, code: dependency.code, details: dependency.details },
      'dependency error answered as ' + dependency.status,
    );
    err = dependency;
  }
  if (err instanceof AppError && err.operational) {
    ctx.status = err.status;
    for (const [name, value] of Object.entries(err.headers)) ctx.set(name, value);
    ctx.body = {
      error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
    };
    return;
  }
  const httpErr = (err ?? {}) as HttpLikeError;
  const status = httpErr.status ?? httpErr.statusCode;
  if (status && status >= 400 && status < 500 && httpErr.expose !== false) {
    ctx.status = status;
    for (const [name, value] of Object.entries(httpErr.headers ?? {})) ctx.set(name, value);
    // co-body marks a body that is not JSON as a SyntaxError with status 400.
    const malformed = httpErr.type === 'entity.parse.failed' || (err instanceof SyntaxError && status === 400);
    const message = malformed
      ? 'The request body is not valid JSON.'
      : httpErr.type === 'entity.too.large'
        ? 'The request body is too large.'
        : httpErr.message || 'Bad request.';
    const code = malformed ? 'MALFORMED_JSON' : (CODES_BY_STATUS[status] ?? 'BAD_REQUEST');
    ctx.body = { error: { code, message } };
    return;
  }
  ctx.state.log.error({ err }, 'unhandled error');
  ctx.status = 500;
  ctx.body = {
    error: {
      code: 'INTERNAL',
      message: `Something went wrong on our side. Quote request id ${ctx.state.requestId} when reporting it.`,
    },
  };
}

/** The matched route's template (`/api/v1/bookings/:id`), never the raw path: ids would explode label spaces. */
function routeTemplate(ctx: Parameters<Middleware>[0]): string {
  const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  if (matched !== undefined) return String(matched);
  return ctx.status === 404 ? 'unmatched' : ctx.path.split('/').slice(0, 2).join('/');
}

/** Request duration by route template (never the raw path: ids would explode the label space). */
export function httpMetrics(histogram: Histogram<'method' | 'route' | 'status'>): Middleware {
  return async (ctx, next) => {
    const end = histogram.startTimer();
    try {
      await next();
    } finally {
      end({ method: ctx.method, route: routeTemplate(ctx), status: String(ctx.status) });
    }
  };
}
