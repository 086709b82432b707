import { createHash, randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { DataSource } from 'typeorm';
import { IdempotencyKeyRepository, type IdempotencyClaim, type IdempotencyScope } from '../../db/repositories/idempotency-keys';
import { AppError } from '../../domain/errors';
import { z } from '../http/openapi';

export type { IdempotencyClaim };

/** The header, documented on every create that takes it. */
export const idempotencyKeyHeaders = z.object({
  'idempotency-key': z.string().min(8).max(128).optional().openapi({
    description: 'Retry safely: the same key and body return the same result (201 with Idempotent-Replayed: true) instead of a second one; another body is 422 IDEMPOTENCY_KEY_REUSED',
  }),
});

/** The Idempotency-Key header of a create, if sent (8 to 128 characters). */
export function idempotencyKeyOf(ctx: Context): string | undefined {
  const key = ctx.get('idempotency-key') || undefined;
  if (key !== undefined && (key.length < 8 || key.length > 128)) {
    throw new AppError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 8 to 128 characters.', { fields: [{ in: 'header', field: 'Idempotency-Key', message: '8 to 128 characters' }] });
  }
  return key;
}

/** JSON with sorted keys: the same request hashes the same whatever order its fields came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Thrown by a create when its claim points at something that can no longer answer (refused and gone): claim afresh. */
export class StaleIdempotencyClaim extends Error {
  constructor() {
    super('The earlier request with this Idempotency-Key was refused; evaluating again.');
  }
}

/**
 * Retry-safe creates, the same way for every resource. A create runs with a claim: the id of what
 * it makes and whether an earlier request with the same key and body made it already. The create
 * must be idempotent in that id (a workflow keyed by it, a row with it as primary key), which is
 * what makes two requests that arrive at once end in one resource. A request that is refused (4xx)
 * frees its key, so a retry is evaluated afresh rather than answered with a stale refusal.
 */
export class IdempotencyService {
  private readonly keys: IdempotencyKeyRepository;

  constructor(dataSource: DataSource) {
    this.keys = new IdempotencyKeyRepository(dataSource);
  }

  async run<T>(
    request: { scope: IdempotencyScope; ownerId: string; key: string | undefined; body: unknown },
    create: (claim: IdempotencyClaim) => Promise<T>,
  ): Promise<{ result: T; replayed: boolean }> {
    const { scope, ownerId, key } = request;
    if (!key) return { result: await create({ resourceId: randomUUID(), replay: false, claimedAt: new Date() }), replayed: false };
    const hash = createHash('sha256').update(canonical(request.body)).digest('hex');
    for (let attempt = 0; ; attempt += 1) {
      const claim = await this.keys.claim(scope, ownerId, key, hash, randomUUID());
      try {
        return { result: await create(claim), replayed: claim.replay };
      } catch (err) {
        if (err instanceof StaleIdempotencyClaim) {
          await this.keys.release(scope, ownerId, key, claim.resourceId);
          if (attempt === 0) continue;
          throw new AppError(409, 'IDEMPOTENCY_KEY_BUSY', 'Another request with this Idempotency-Key is being settled; try again.');
        }
        if (!claim.replay && err instanceof AppError && err.status >= 400 && err.status < 500) await this.keys.release(scope, ownerId, key, claim.resourceId);
        throw err;
      }
    }
  }
}
