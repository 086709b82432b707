import { randomInt, randomUUID } from 'node:crypto';
import type { Redis } from '../../src/infra/redis';
import { request, type ApiAnswer } from './http';
import type { TestStack } from './stack';

/**
 * A random client address, sent as X-Forwarded-For (the app trusts its proxy): per-IP rate limits
 * then count this test's requests only, whatever ran before against the same Redis.
 */
export const clientIp = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

export const randomEmail = (): string => `id-${randomUUID().slice(0, 12)}@example.test`;

export const PASSWORD = 'correct horse battery staple';

export interface Session {
  user: { id: string; email: string; role: string; timezone: string; displayName: string };
  accessToken: string;
  refreshToken: string;
}

/** `request` (test/support/http.ts) from a random client address, as the identity tests call it. */
export function call(
  stack: TestStack,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; ip?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  return request(stack, method, path, {
    body: opts.body,
    token: opts.token,
    headers: { 'x-forwarded-for': opts.ip ?? clientIp(), ...opts.headers },
  });
}

/** Signs up through the API and returns the session (fails the test on anything but 201). */
export async function register(
  stack: TestStack,
  opts: { email?: string; password?: string; displayName?: string; timezone?: string } = {},
): Promise<Session> {
  const res = await call(stack, 'POST', '/auth/register', {
    body: {
      email: opts.email ?? randomEmail(),
      password: opts.password ?? PASSWORD,
      displayName: opts.displayName ?? 'Test Person',
      timezone: opts.timezone,
    },
  });
  if (res.status !== 201) throw new Error(`register answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Waits until a Redis connection is up: commands sent before that fail fast (no offline
 * queue) and a rate limiter would let them through, which a rate-limit test must not mistake.
 */
export async function redisReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    redis.once('ready', () => resolve());
    setTimeout(() => reject(new Error(`Redis not ready after 5 s (status ${redis.status})`)), 5000).unref();
  });
}
