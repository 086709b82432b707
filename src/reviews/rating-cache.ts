import type { Redis } from '../infra/redis';
import { bumpCacheVersions, readThroughVersionedCache, type CacheOutcome } from '../infra/versioned-cache';
import type { RoomRating } from '../db/repositories/reviews';

/**
 * GET /rooms/:id/rating answers cached in Redis under a per-room version counter (the scheme of
 * versioned-cache): a change bumps the version after its commit, so an answer computed before the
 * change lands under a key nobody reads again (no stale set after a delete).
 */
const TTL_SECONDS = 300;

const versionKey = (roomId: string) => `reviews:rating:${roomId}:version`;
const entryKey = (roomId: string, version: string) => `reviews:rating:${roomId}:v${version}`;

export type RatingCacheOutcome = CacheOutcome;

/** After every committed change to a room's published reviews. Never throws; false if Redis was unreachable. */
export function invalidateRoomRating(redis: Redis, roomId: string): Promise<boolean> {
  return bumpCacheVersions(redis, [versionKey(roomId)]);
}

export function cachedRoomRating(
  redis: Redis,
  roomId: string,
  compute: () => Promise<RoomRating | undefined>,
): Promise<{ value: RoomRating | undefined; cache: RatingCacheOutcome }> {
  return readThroughVersionedCache(
    redis,
    {
      versionKey: versionKey(roomId),
      entryKey: (version) => entryKey(roomId, version),
      ttlSeconds: TTL_SECONDS,
      // A missing room is not cached: a 404 costs one indexed read.
      worthStoring: (value) => Boolean(value),
    },
    compute,
  );
}
