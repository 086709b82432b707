import type { Redis } from '../infra/redis';
import type { RoomRating } from '../db/repositories/reviews';

/**
 * GET /rooms/:id/rating answers cached in Redis under a per-room version counter, the same scheme
 * as the availability cache: a change bumps the version after its commit, so an answer computed
 * before the change lands under a key nobody reads again (no stale set after a delete). Entries
 * expire on their own, which bounds staleness if a bump was ever lost. Redis is an optimisation:
 * any failure or slow answer falls back to Postgres.
 */
const TTL_SECONDS = 300;
const REDIS_DEADLINE_MS = 250;

const versionKey = (roomId: string) => `reviews:rating:${roomId}:version`;
const entryKey = (roomId: string, version: string) => `reviews:rating:${roomId}:v${version}`;

export type RatingCacheOutcome = 'hit' | 'miss' | 'bypass';

function withDeadline<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('redis deadline exceeded')), REDIS_DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** After every committed change to a room's published reviews. Never throws; false if Redis was unreachable. */
export async function invalidateRoomRating(redis: Redis, roomId: string): Promise<boolean> {
  try {
    await withDeadline(redis.incr(versionKey(roomId)));
    return true;
  } catch {
    return false;
  }
}

export async function cachedRoomRating(
  redis: Redis,
  roomId: string,
  compute: () => Promise<RoomRating | undefined>,
): Promise<{ value: RoomRating | undefined; cache: RatingCacheOutcome }> {
  let key: string | undefined;
  try {
    const version = (await withDeadline(redis.get(versionKey(roomId)))) ?? '0';
    key = entryKey(roomId, version);
    const hit = await withDeadline(redis.get(key));
    if (hit !== null) return { value: JSON.parse(hit) as RoomRating, cache: 'hit' };
  } catch {
    key = undefined;
  }
  const value = await compute();
  // A missing room is not cached: a 404 costs one indexed read.
  if (!key || !value) return { value, cache: key ? 'miss' : 'bypass' };
  await withDeadline(redis.set(key, JSON.stringify(value), 'EX', TTL_SECONDS)).catch(() => undefined);
  return { value, cache: 'miss' };
}
