import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import Router from '@koa/router';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { checkDependencies } from '../../infra/readiness';
import { buildAsyncApiDocument } from '../../realtime/asyncapi';
import type { AppDeps } from '../deps';
import { buildOpenApiDocument, z } from '../http/openapi';
import { defineRoute } from '../http/route';

const healthSchema = z.object({ status: z.literal('ok') }).openapi('Health');
const readySchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.object({ ok: z.boolean(), error: z.string().optional() })),
  })
  .openapi('Readiness');

/** Health, readiness, metrics and the API's own documentation. Unauthenticated by design. */
export function opsRouter(deps: AppDeps, registry: OpenAPIRegistry): Router {
  const router = new Router();
  defineRoute(router, registry, '', {
    method: 'get',
    path: '/health',
    summary: 'The process is alive',
    tags: ['ops'],
    responses: { 200: { description: 'Alive', schema: healthSchema } },
    handler: (ctx) => {
      ctx.body = { status: 'ok' };
    },
  });
  defineRoute(router, registry, '', {
    method: 'get',
    path: '/ready',
    summary: 'Postgres, Redis and Temporal are reachable',
    tags: ['ops'],
    responses: {
      200: { description: 'Ready', schema: readySchema },
      503: { description: 'A dependency is down; details name it', schema: readySchema },
    },
    handler: async (ctx) => {
      const checks = await checkDependencies(deps);
      const down = Object.entries(checks)
        .filter(([, c]) => !c.ok)
        .map(([name]) => name);
      ctx.status = down.length ? 503 : 200;
      if (down.length) ctx.set('Retry-After', '5');
      ctx.body = down.length
        ? { status: 'unavailable', down, message: `Not ready: ${down.join(', ')} unreachable.`, checks }
        : { status: 'ready', checks };
    },
  });
  defineRoute(router, registry, '', {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this api process',
    tags: ['ops'],
    responses: {
      200: { description: 'Prometheus text exposition format', schema: z.string(), contentType: 'text/plain' },
    },
    handler: async (ctx) => {
      ctx.type = deps.metrics.contentType;
      ctx.body = await deps.metrics.metrics();
    },
  });

  let document: unknown;
  defineRoute(router, registry, '', {
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document (OpenAPI 3.1)',
    tags: ['ops'],
    responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.unknown()) } },
    handler: (ctx) => {
      // Built on first use: by then every router has registered its paths.
      document ??= buildOpenApiDocument(registry, deps.config.publicUrl);
      ctx.body = document;
    },
  });

  let asyncApi: unknown;
  defineRoute(router, registry, '', {
    method: 'get',
    path: '/api/v1/asyncapi.json',
    operationId: 'getAsyncApiDocument',
    summary: 'The Socket.IO events (AsyncAPI 3)',
    tags: ['ops'],
    responses: {
      200: {
        description: 'The AsyncAPI document of the realtime events (docs/events.md)',
        schema: z.record(z.unknown()),
      },
    },
    handler: (ctx) => {
      asyncApi ??= buildAsyncApiDocument(deps.config.publicUrl);
      ctx.body = asyncApi;
    },
  });

  const swaggerDir = getAbsoluteFSPath();
  const assets: Record<string, string> = {
    'swagger-ui.css': 'text/css',
    'swagger-ui-bundle.js': 'application/javascript',
  };
  router.get('/docs', (ctx) => {
    ctx.type = 'html';
    ctx.body = DOCS_PAGE;
  });
  router.get('/docs/assets/:file', (ctx) => {
    const type = assets[ctx.params.file];
    if (!type) return;
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = readFileSync(join(swaggerDir, ctx.params.file));
  });
  return router;
}

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Roombook API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#docs', deepLinking: true });</script>
</body></html>`;
