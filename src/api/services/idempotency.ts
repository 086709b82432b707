import { createHash, randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { DataSource } from 'typeorm';
import {
  IdempotencyKeyRepository,
  type IdempotencyClaim,
  type IdempotencyScope,
} from '../../db/repositories/idempotency-keys';
import { AppError } from '../../domain/errors';
import { z } from '../http/openapi';

export type { IdempotencyClaim };

/** The header, documented on every create that takes it. */
export const idempotencyKeyHeaders = z.object({
  'idempotency-key': z.string().min(8).max(128).optional().openapi({
    description:
      'Retry safely: the same key and body return the same result (201 with Idempotent-Replayed: true) instead of a second one; another body is 422 IDEMPOTENCY_KEY_REUSED',
  }),
});

/** The Idempotency-Key header of a create, if sent (8 to 128 characters). */
export function idempotencyKeyOf(ctx: Context): string | undefined {
  const key = ctx.get('idempotency-key') || undefined;
  if (key !== undefined && (key.length < 8 || key.length > 128)) {
    throw new AppError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 8 to 128 characters.', {
      fields: [{ in: 'header', field: 'Idempotency-Key', message: '8 to 128 characters' }],
    });
  }
  return key;
}

/** JSON with sorted keys: the same request hashes the same whatever order its fields came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** For `made` lookups through a service that answers 404 for what does not exist (yet). */
export const ifNotFound =
  <T>(fallback: T) =>
  (err: unknown): T => {
    if (err instanceof AppError && err.status === 404) return fallback;
    throw err;
  };

/** Thrown by a create when its claim points at something that can no longer answer (refused and gone): claim afresh. */
export class StaleIdempotencyClaim extends Error {
  constructor() {
    super('The earlier request with this Idempotency-Key was refused; evaluating again.');
  }
}

// How long a retry waits for the first attempt with its key to make what it makes (as POST /bookings does).
const FIRST_ATTEMPT_WAIT_MS = 10_000;
const FIRST_ATTEMPT_POLL_MS = 100;

/**
 * Retry-safe creates, the same way for every resource. A create runs with a claim: the id of what
 * it makes and whether an earlier request with the same key and body made it already. A retry
 * first waits (up to 10 s from the claim) for the first attempt's resource and answers with it:
 * a burst of retries then does not send the same work again (twenty updates to one workflow at
 * once pass Temporal's in-flight limit). Only when the first attempt left nothing does the retry
 * run the create itself, which must therefore be idempotent in the id (a workflow keyed by it, a
 * row with it as primary key). A request that is refused (4xx) frees its key, so a retry is
 * evaluated afresh rather than answered with a stale refusal.
 */
export class IdempotencyService {
  private readonly keys: IdempotencyKeyRepository;

  constructor(dataSource: DataSource) {
    this.keys = new IdempotencyKeyRepository(dataSource);
  }

  async run<T>(
    request: { scope: IdempotencyScope; ownerId: string; key: string | undefined; body: unknown },
    create: (claim: IdempotencyClaim) => Promise<T>,
    /** What the first attempt made, once it exists. */
    made: (resourceId: string) => Promise<T | undefined>,
  ): Promise<{ result: T; replayed: boolean }> {
    const { scope, ownerId, key } = request;
    if (!key)
      return {
        result: await create({ resourceId: randomUUID(), replay: false, claimedAt: new Date() }),
        replayed: false,
      };
    const hash = createHash('sha256').update(canonical(request.body)).digest('hex');
    for (let attempt = 0; ; attempt += 1) {
      const claim = await this.keys.claim(scope, ownerId, key, hash, randomUUID());
      try {
        if (claim.replay) {
          const first = await this.firstAttempt(scope, ownerId, key, claim, made);
          if (first) return { result: first, replayed: true };
        }
        return { result: await create(claim), replayed: claim.replay };
      } catch (err) {
        if (err instanceof StaleIdempotencyClaim) {
          await this.keys.release(scope, ownerId, key, claim.resourceId);
          if (attempt === 0) continue;
          throw new AppError(
            409,
            'IDEMPOTENCY_KEY_BUSY',
            'Another request with this Idempotency-Key is being settled; try again.',
          );
        }
        if (!claim.replay && err instanceof AppError && err.status >= 400 && err.status < 500)
          await this.keys.release(scope, ownerId, key, claim.resourceId);
        throw err;
      }
    }
  }

  private async firstAttempt<T>(
    scope: IdempotencyScope,
    ownerId: string,
    key: string,
    claim: IdempotencyClaim,
    made: (resourceId: string) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const until = claim.claimedAt.getTime() + FIRST_ATTEMPT_WAIT_MS;
    for (;;) {
      const found = await made(claim.resourceId);
      if (found || Date.now() >= until) return found;
      // The first attempt was refused and freed the key: this retry is evaluated afresh.
      if (!(await this.keys.holds(scope, ownerId, key, claim.resourceId))) throw new StaleIdempotencyClaim();
      await new Promise((resolve) => setTimeout(resolve, FIRST_ATTEMPT_POLL_MS));
    }
  }
}
