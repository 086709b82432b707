import { createHash } from 'node:crypto';
import type { Redis } from './redis';
import { bumpCacheVersions, readThroughVersionedCache, type CacheOutcome } from './versioned-cache';

/**
 * Availability answers cached in Redis under a version counter that every booking or room change
 * bumps (see versioned-cache for why that gives read-your-writes).
 */

const ROOM_TTL_SECONDS = 60;
const SEARCH_TTL_SECONDS = 30;

const roomVersionKey = (roomId: string) => `availability:room:${roomId}:version`;
/** Bumped with every room's version: the search spans all rooms. */
const SEARCH_VERSION_KEY = 'availability:search:version';

export type { CacheOutcome };

/**
 * Call after every committed booking write (create, confirm, cancel, expire, release, reschedule,
 * extend, check-out...) and every room change, before acknowledging it. Never throws: it returns
 * false when Redis could not be reached, in which case cached answers expire within their TTL.
 */
export function invalidateRoomAvailability(redis: Redis, roomId: string): Promise<boolean> {
  return bumpCacheVersions(redis, [roomVersionKey(roomId), SEARCH_VERSION_KEY]);
}

function cached<T>(
  redis: Redis,
  versionKey: string,
  keyPrefix: string,
  request: unknown,
  ttlSeconds: number,
  compute: () => Promise<T>,
) {
  const digest = createHash('sha256').update(JSON.stringify(request)).digest('base64url');
  return readThroughVersionedCache(
    redis,
    { versionKey, entryKey: (version) => `${keyPrefix}:v${version}:${digest}`, ttlSeconds },
    compute,
  );
}

/** One room's availability for a window, cached under the room's version. */
export function cachedRoomAvailability<T>(redis: Redis, roomId: string, request: unknown, compute: () => Promise<T>) {
  return cached(redis, roomVersionKey(roomId), `availability:room:${roomId}`, request, ROOM_TTL_SECONDS, compute);
}

/** A search answer, cached under the version that every room change bumps. */
export function cachedAvailabilitySearch<T>(redis: Redis, request: unknown, compute: () => Promise<T>) {
  return cached(redis, SEARCH_VERSION_KEY, 'availability:search', request, SEARCH_TTL_SECONDS, compute);
}
