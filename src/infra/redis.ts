import Redis, { type RedisOptions } from 'ioredis';

/**
 * Commands fail fast while Redis is down (no offline queue, one retry), so callers can degrade or
 * answer 503 instead of hanging; the client keeps reconnecting in the background.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
    ...options,
  });
}

export type { Redis };
