import { EntitySchema } from 'typeorm';
import { text, timestamptzNow, uuid } from './columns';

/** A row of `idempotency_keys`: a retry-safe create's key, per (scope, owner). No foreign keys: an owner is a user or a display token. */
export interface IdempotencyKeyEntity {
  scope: string;
  ownerId: string;
  key: string;
  requestHash: string;
  resourceId: string;
  createdAt: Date;
}

export const IdempotencyKeySchema = new EntitySchema<IdempotencyKeyEntity>({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  columns: {
    scope: { type: 'text', primary: true },
    ownerId: { ...uuid('owner_id'), primary: true },
    key: { type: 'text', primary: true },
    requestHash: text('request_hash'),
    resourceId: uuid('resource_id'),
    createdAt: timestamptzNow('created_at'),
  },
});
