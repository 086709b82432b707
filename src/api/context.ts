import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import Router from '@koa/router';
import type { Access } from './auth/access';
import type { TokenVerifier } from '../domain/principal';
import type { AppDeps } from './deps';
import type { ApiServices } from './services';
import { defineRoute, type RouteSpec } from './http/route';
import type { ZodTypeAny } from 'zod';

/** What every resource router is built from. */
export interface ApiContext {
  deps: AppDeps;
  registry: OpenAPIRegistry;
  access: Access;
  verifier: TokenVerifier;
  services: ApiServices;
}

export const API_PREFIX = '/api/v1';

/** A router under /api/v1 whose routes are declared with defineRoute. */
export function resourceRouter(api: ApiContext) {
  const router = new Router({ prefix: API_PREFIX });
  return {
    router,
    route<P extends ZodTypeAny, Q extends ZodTypeAny, B extends ZodTypeAny>(spec: RouteSpec<P, Q, B>): void {
      defineRoute(router, api.registry, API_PREFIX, spec);
    },
  };
}
