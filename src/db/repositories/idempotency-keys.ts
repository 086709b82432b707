import { AppError } from '../../domain/errors';
import { selectRows, type Queryable } from '../queryable';

/** What kind of create a key belongs to: keys of different scopes never meet. */
export type IdempotencyScope = 'series' | 'walk-up' | 'waitlist' | 'webhook' | 'ticket';

export interface IdempotencyClaim {
  /** The id of what the create makes: chosen by the first request, the same for every retry. */
  resourceId: string;
  /** True when an earlier request with this key and body got there first. */
  replay: boolean;
  /** When the key was first claimed (database time): "now" for everything the create derives from time. */
  claimedAt: Date;
}

export const idempotencyKeyReused = () =>
  new AppError(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
  );

/** The one place with idempotency-key SQL. */
export class IdempotencyKeyRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Claims a key for a request, or finds who claimed it. The INSERT settles concurrent requests:
   * of two at once, one inserts and the other waits for that row and reads it, so both work on
   * the same resource id.
   */
  async claim(
    scope: IdempotencyScope,
    ownerId: string,
    key: string,
    requestHash: string,
    candidateId: string,
  ): Promise<IdempotencyClaim> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const [inserted] = await selectRows<{ created_at: Date }>(
        this.db,
        `INSERT INTO idempotency_keys (scope, owner_id, key, request_hash, resource_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope, owner_id, key) DO NOTHING RETURNING created_at`,
        [scope, ownerId, key, requestHash, candidateId],
      );
      if (inserted) return { resourceId: candidateId, replay: false, claimedAt: inserted.created_at };
      const [existing] = await selectRows<{ request_hash: string; resource_id: string; created_at: Date }>(
        this.db,
        'SELECT request_hash, resource_id, created_at FROM idempotency_keys WHERE scope = $1 AND owner_id = $2 AND key = $3',
        [scope, ownerId, key],
      );
      // Released between the two statements (its first request was refused): claim it afresh.
      if (!existing) continue;
      if (existing.request_hash !== requestHash) throw idempotencyKeyReused();
      return { resourceId: existing.resource_id, replay: true, claimedAt: existing.created_at };
    }
    throw new AppError(
      409,
      'IDEMPOTENCY_KEY_BUSY',
      'Another request with this Idempotency-Key is being settled; try again.',
    );
  }

  /** Whether the key still names this resource (a refused first attempt frees it). */
  async holds(scope: IdempotencyScope, ownerId: string, key: string, resourceId: string): Promise<boolean> {
    const rows = await selectRows<unknown>(
      this.db,
      'SELECT 1 FROM idempotency_keys WHERE scope = $1 AND owner_id = $2 AND key = $3 AND resource_id = $4',
      [scope, ownerId, key, resourceId],
    );
    return rows.length > 0;
  }

  /** Frees a key whose request was refused, so that a retry is evaluated afresh. */
  async release(scope: IdempotencyScope, ownerId: string, key: string, resourceId: string): Promise<void> {
    await this.db.query(
      'DELETE FROM idempotency_keys WHERE scope = $1 AND owner_id = $2 AND key = $3 AND resource_id = $4',
      [scope, ownerId, key, resourceId],
    );
  }
}

/**
 * Booking creates keep their own table (booking_idempotency_keys, keyed by user), older than the
 * scoped one above. True when this request claimed the key.
 */
export async function insertBookingIdempotencyKey(
  db: Queryable,
  claim: { userId: string; key: string; requestHash: string; bookingId: string },
): Promise<boolean> {
  const inserted = (await db.query(
    `INSERT INTO booking_idempotency_keys (user_id, key, request_hash, booking_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, key) DO NOTHING RETURNING booking_id`,
    [claim.userId, claim.key, claim.requestHash, claim.bookingId],
  )) as unknown[];
  return inserted.length > 0;
}

export async function findBookingIdempotencyKey(
  db: Queryable,
  userId: string,
  key: string,
): Promise<{ requestHash: string; bookingId: string; createdAt: Date } | undefined> {
  const [row] = (await db.query(
    'SELECT request_hash, booking_id, created_at FROM booking_idempotency_keys WHERE user_id = $1 AND key = $2',
    [userId, key],
  )) as {
    request_hash: string;
    booking_id: string;
    created_at: Date;
  }[];
  return row ? { requestHash: row.request_hash, bookingId: row.booking_id, createdAt: row.created_at } : undefined;
}
