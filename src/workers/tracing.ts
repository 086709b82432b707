// Imported first by the entry point: the SDK must patch http, koa, pg and ioredis before anything loads them.
import { startTracing } from '../infra/tracing';

export const tracing = startTracing('roombook-worker');
