import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { ZodTypeAny, z } from 'zod';
import { AppError } from '../../domain/errors';
import { errorSchema } from './openapi';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<P extends ZodTypeAny, Q extends ZodTypeAny, B extends ZodTypeAny> {
  method: Method;
  /** Koa path under the router's prefix, e.g. /rooms/:id */
  path: string;
  summary: string;
  /**
   * The operation's name for client generators; derived from the method and path when omitted
   * (`POST /bookings/:id/check-in` → `postBookingsByIdCheckIn`). Unique in the document.
   */
  operationId?: string;
  tags: string[];
  /** Extra middleware run before validation (authentication, authorization). */
  before?: Middleware[];
  /** Whether the OpenAPI document marks it as needing a bearer token; otherwise it declares `security: []` (public). */
  secured?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Extra request headers documented (e.g. Idempotency-Key). */
  headers?: ZodTypeAny;
  responses: Record<number, { description: string; schema?: ZodTypeAny; contentType?: string }>;
  handler: (ctx: Context, input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> }) => Promise<void> | void;
}

/**
 * Declares one route: the same zod schemas validate the request, type the handler's input and
 * describe the operation in the OpenAPI document, so a shape is never written twice.
 */
export function defineRoute<P extends ZodTypeAny, Q extends ZodTypeAny, B extends ZodTypeAny>(
  router: Router,
  registry: OpenAPIRegistry,
  prefix: string,
  spec: RouteSpec<P, Q, B>,
): void {
  const operation = toOpenApi(prefix, spec);
  const taken = registry.definitions.some((d) => d.type === 'route' && d.route.operationId === operation.operationId);
  if (taken)
    throw new Error(
      `Duplicate OpenAPI operationId ${operation.operationId} (${spec.method.toUpperCase()} ${prefix}${spec.path}): give the route an explicit operationId`,
    );
  registry.registerPath(operation);
  const validate: Middleware = async (ctx) => {
    const input = {
      params: parsePart(spec.params, ctx.params, 'path'),
      query: parsePart(spec.query, ctx.query, 'query'),
      body: parsePart(spec.body, (ctx.request as { body?: unknown }).body, 'body'),
    };
    await spec.handler(ctx, input as never);
  };
  router[spec.method](spec.path, ...(spec.before ?? []), validate);
}

function parsePart(schema: ZodTypeAny | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    in: where,
    field: issue.path.join('.') || (where === 'body' ? '(body)' : where),
    message: issue.message,
  }));
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  throw new AppError(
    400,
    'VALIDATION_FAILED',
    `Invalid ${where === 'body' ? 'request body' : `${where} parameters`}: ${summary}`,
    { fields },
  );
}

function toOpenApi(
  prefix: string,
  spec: Omit<RouteSpec<ZodTypeAny, ZodTypeAny, ZodTypeAny>, 'handler' | 'before'>,
): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }
      : { description: r.description };
  }
  const defaultErrors: Record<string, string> = { 400: 'Invalid request', 500: 'A bug: never expected' };
  if (spec.secured) Object.assign(defaultErrors, { 401: 'Missing or invalid token', 403: 'Not allowed' });
  for (const [status, description] of Object.entries(defaultErrors)) {
    responses[status] ??= { description, content: { 'application/json': { schema: errorSchema } } };
  }
  return {
    method: spec.method,
    path: prefix + spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
    operationId: spec.operationId ?? deriveOperationId(spec.method, prefix + spec.path),
    summary: spec.summary,
    tags: spec.tags,
    // Public operations say so (an empty list), rather than leaving readers to guess.
    security: spec.secured ? [{ bearer: [] }] : [],
    request: {
      params: spec.params as never,
      query: spec.query as never,
      headers: spec.headers as never,
      body: spec.body ? { content: { 'application/json': { schema: spec.body } }, required: true } : undefined,
    },
    responses,
  };
}

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
const camelWords = (segment: string): string[] =>
  segment
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map(capitalize);

/** `get /api/v1/rooms/:id/calendar.ics` → `getRoomsByIdCalendarIcs`: method, then each segment (parameters as `By<Name>`), without the base path. */
export function deriveOperationId(method: Method, path: string): string {
  const segments = path
    .replace(/^\/api\/v1(?=\/|$)/, '')
    .split('/')
    .filter(Boolean);
  const words = segments.flatMap((segment) =>
    segment.startsWith(':') ? [`By${capitalize(segment.slice(1))}`] : camelWords(segment),
  );
  return method + words.join('');
}
