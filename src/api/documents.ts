import { Registry } from 'prom-client';
import { loadConfig } from '../config';
import { createLogger } from '../infra/logger';
import { createApp, registryOf } from './app';
import type { AppDeps } from './deps';
import { buildOpenApiDocument } from './http/openapi';

/** A dependency that is never reached while routes are only declared: any use is a bug and says so. */
function unavailable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      throw new Error(`${name}.${String(property)} used while building documents offline`);
    },
  });
}

/**
 * The OpenAPI document exactly as the api serves it, built from the route definitions without
 * connecting to anything (`npm run openapi`, the Postman collection, the lint test).
 */
export function buildApiDocument(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof buildOpenApiDocument> {
  // A placeholder secret: nothing is signed, and the development secret file is left alone.
  const config = loadConfig({ ...env, JWT_SECRET: 'offline-document-build-placeholder-secret-0000' });
  const deps: AppDeps = {
    config,
    logger: createLogger('silent', 'documents'),
    metrics: new Registry(),
    dataSource: unavailable('dataSource'),
    redis: unavailable('redis'),
    temporal: unavailable('temporal'),
    temporalProbe: unavailable('temporalProbe'),
  };
  return buildOpenApiDocument(registryOf(createApp(deps)), config.publicUrl);
}
