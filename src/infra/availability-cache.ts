import { createHash } from 'node:crypto';
import type { Redis } from './redis';

/**
 * Availability answers cached in Redis, keyed by a version counter that every booking or room
 * change bumps. A reader reads the version first and caches under it; a write that lands while
 * the reader is computing bumps the version, so the (possibly stale) answer is stored under a key
 * no later reader asks for. That is what gives read-your-writes: once invalidateRoomAvailability
 * has returned, no reader is served an answer computed before the write. Entries also expire on
 * their own (TTL), which bounds staleness if an invalidation was ever lost (Redis unreachable from
 * the writer but not from the reader).
 *
 * Redis is an optimisation only: every Redis error or slow answer degrades to the database.
 */

const ROOM_TTL_SECONDS = 60;
const SEARCH_TTL_SECONDS = 30;
/** Beyond this, a Redis call is treated as failed and the database answers. */
const REDIS_DEADLINE_MS = 250;

const roomVersionKey = (roomId: string) => `availability:room:${roomId}:version`;
/** Bumped with every room's version: the search spans all rooms. */
const SEARCH_VERSION_KEY = 'availability:search:version';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

function withDeadline<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('redis deadline exceeded')), REDIS_DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Call after every committed booking write (create, confirm, cancel, expire, release, reschedule,
 * extend, check-out...) and every room change, before acknowledging it. Never throws: it returns
 * false when Redis could not be reached, in which case cached answers expire within their TTL.
 */
export async function invalidateRoomAvailability(redis: Redis, roomId: string): Promise<boolean> {
  try {
    await withDeadline(redis.multi().incr(roomVersionKey(roomId)).incr(SEARCH_VERSION_KEY).exec());
    return true;
  } catch {
    return false;
  }
}

async function cached<T>(
  redis: Redis,
  versionKey: string,
  keyPrefix: string,
  request: unknown,
  ttlSeconds: number,
  compute: () => Promise<T>,
): Promise<{ value: T; cache: CacheOutcome }> {
  let key: string | undefined;
  try {
    const version = (await withDeadline(redis.get(versionKey))) ?? '0';
    const digest = createHash('sha256').update(JSON.stringify(request)).digest('base64url');
    key = `${keyPrefix}:v${version}:${digest}`;
    const hit = await withDeadline(redis.get(key));
    if (hit !== null) return { value: JSON.parse(hit) as T, cache: 'hit' };
  } catch {
    key = undefined;
  }
  const value = await compute();
  if (!key) return { value, cache: 'bypass' };
  const store = key;
  // A failed store only costs the next reader a database query.
  await withDeadline(redis.set(store, JSON.stringify(value), 'EX', ttlSeconds)).catch(() => undefined);
  return { value, cache: 'miss' };
}

/** One room's availability for a window, cached under the room's version. */
export function cachedRoomAvailability<T>(redis: Redis, roomId: string, request: unknown, compute: () => Promise<T>) {
  return cached(redis, roomVersionKey(roomId), `availability:room:${roomId}`, request, ROOM_TTL_SECONDS, compute);
}

/** A search answer, cached under the version that every room change bumps. */
export function cachedAvailabilitySearch<T>(redis: Redis, request: unknown, compute: () => Promise<T>) {
  return cached(redis, SEARCH_VERSION_KEY, 'availability:search', request, SEARCH_TTL_SECONDS, compute);
}
