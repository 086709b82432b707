import type { RateLimit } from '../config';
import { AppError } from '../domain/errors';
import type { Logger } from './logger';
import { withTimeout } from './deadline';
import type { Redis } from './redis';

export interface RateLimiter {
  /**
   * Counts one request for `key` (an account, an IP, a user id) and throws a 429 AppError with
   * Retry-After once the window's limit is used up.
   */
  consume(key: string): Promise<void>;
}

export interface RateLimiterOptions extends RateLimit {
  /** Names the counter in Redis (`ratelimit:<name>:<key>`) and in the 429's details. */
  name: string;
  logger?: Logger;
  /** How long to wait for Redis before letting the request through. */
  timeoutMs?: number;
}

// Fixed window: the first hit creates the counter with the window's expiry; later hits only count.
// One script, so the count and the expiry can never be split by a crash or a concurrent caller.
const FIXED_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/**
 * A limiter whose counters live in Redis, so every api process shares them. When Redis does not
 * answer, the request is let through and a warning logged (fail open): a limiter exists to slow
 * abuse, and turning a Redis outage into refused logins and bookings would be the bigger harm.
 */
export function createRateLimiter(redis: Redis, options: RateLimiterOptions): RateLimiter {
  const { name, limit, windowSeconds, logger, timeoutMs = 1000 } = options;
  return {
    async consume(key: string): Promise<void> {
      let counted: [number, number];
      try {
        counted = await withTimeout(
          redis.eval(FIXED_WINDOW, 1, `ratelimit:${name}:${key}`, windowSeconds * 1000) as Promise<[number, number]>,
          timeoutMs,
        );
      } catch (err) {
        logger?.warn({ limiter: name, err: (err as Error).message }, 'rate limiter unavailable: request allowed');
        return;
      }
      const [count, ttlMs] = counted;
      if (count <= limit) return;
      const retryAfterSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
      throw new AppError(
        429,
        'RATE_LIMITED',
        `Too many requests: try again in ${retryAfterSeconds} s.`,
        { limiter: name, limit, windowSeconds, retryAfterSeconds },
        true,
        { 'Retry-After': String(retryAfterSeconds) },
      );
    },
  };
}
