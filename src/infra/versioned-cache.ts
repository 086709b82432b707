import { withTimeout } from './deadline';
import type { Redis } from './redis';

/**
 * Read-through cache in Redis keyed by a version counter that every relevant write bumps. A reader
 * reads the version first and caches under it; a write that lands while the reader is computing
 * bumps the version, so the (possibly stale) answer is stored under a key no later reader asks
 * for. That is what gives read-your-writes: once bumpCacheVersions has returned, no reader is
 * served an answer computed before the write. Entries also expire on their own (TTL), which bounds
 * staleness if a bump was ever lost (Redis unreachable from the writer but not from the reader).
 *
 * Redis is an optimisation only: every Redis error or slow answer degrades to `compute`.
 */

/** Beyond this, a Redis call is treated as failed and the database answers. */
const REDIS_DEADLINE_MS = 250;

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

const withinRedisDeadline = <T>(promise: Promise<T>): Promise<T> =>
  withTimeout(promise, REDIS_DEADLINE_MS, 'redis deadline exceeded');

/**
 * Call after a committed write, before acknowledging it. The keys are bumped in one transaction,
 * so no reader sees one bumped without the others. Never throws: false when Redis could not be
 * reached, in which case cached answers expire within their TTL.
 */
export async function bumpCacheVersions(redis: Redis, versionKeys: readonly string[]): Promise<boolean> {
  try {
    const transaction = redis.multi();
    for (const key of versionKeys) transaction.incr(key);
    await withinRedisDeadline(transaction.exec());
    return true;
  } catch {
    return false;
  }
}

export async function readThroughVersionedCache<T>(
  redis: Redis,
  entry: {
    versionKey: string;
    entryKey: (version: string) => string;
    ttlSeconds: number;
    /** Answers worth a Redis round trip to store; by default all of them. */
    worthStoring?: (value: T) => boolean;
  },
  compute: () => Promise<T>,
): Promise<{ value: T; cache: CacheOutcome }> {
  let key: string | undefined;
  try {
    const version = (await withinRedisDeadline(redis.get(entry.versionKey))) ?? '0';
    key = entry.entryKey(version);
    const hit = await withinRedisDeadline(redis.get(key));
    if (hit !== null) return { value: JSON.parse(hit) as T, cache: 'hit' };
  } catch {
    key = undefined;
  }
  const value = await compute();
  if (!key) return { value, cache: 'bypass' };
  if (entry.worthStoring && !entry.worthStoring(value)) return { value, cache: 'miss' };
  // A failed store only costs the next reader a database query.
  await withinRedisDeadline(redis.set(key, JSON.stringify(value), 'EX', entry.ttlSeconds)).catch(() => undefined);
  return { value, cache: 'miss' };
}
