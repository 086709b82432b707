import { EntitySchema } from 'typeorm';
import { generatedUuidKey, integer, text, timestamptz, timestamptzNow, uuid } from './columns';
import type { UserEntity } from './user';

/** A row of `webhook_endpoints`: where staff asked to hear of events, and the secret that signs them. */
export interface WebhookEndpointEntity {
  id: string;
  ownerId: string | null;
  url: string;
  events: string[];
  description: string;
  secretEncrypted: string;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  disabledMailedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  owner?: UserEntity | null;
}

export const WebhookEndpointSchema = new EntitySchema<WebhookEndpointEntity>({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoints',
  columns: {
    id: generatedUuidKey(),
    ownerId: uuid('owner_id', { nullable: true }),
    url: text('url'),
    events: { name: 'events', type: 'text', array: true },
    description: text('description', { default: '' }),
    secretEncrypted: text('secret_encrypted'),
    enabled: { name: 'enabled', type: 'boolean', default: true },
    disabledReason: text('disabled_reason', { nullable: true }),
    disabledAt: timestamptz('disabled_at', { nullable: true }),
    disabledMailedAt: timestamptz('disabled_mailed_at', { nullable: true }),
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  relations: {
    owner: {
      type: 'many-to-one',
      target: 'User',
      nullable: true,
      onDelete: 'SET NULL',
      joinColumn: { name: 'owner_id', foreignKeyConstraintName: 'webhook_endpoints_owner_id_fkey' },
    },
  },
});

/** A row of `webhook_deliveries`: one message to one endpoint, its outcome so far. */
export interface WebhookDeliveryEntity {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  orderKey: string;
  payload: unknown;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  attempts: number;
  redeliveries: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  endpoint?: WebhookEndpointEntity;
}

export const WebhookDeliverySchema = new EntitySchema<WebhookDeliveryEntity>({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  columns: {
    id: generatedUuidKey(),
    endpointId: uuid('endpoint_id'),
    messageId: text('message_id'),
    eventType: text('event_type'),
    orderKey: text('order_key'),
    payload: { name: 'payload', type: 'jsonb' },
    status: text('status', { default: 'pending' }),
    attempts: integer('attempts', { default: 0 }),
    redeliveries: integer('redeliveries', { default: 0 }),
    lastStatusCode: { name: 'last_status_code', type: 'integer', nullable: true },
    lastError: text('last_error', { nullable: true }),
    lastLatencyMs: { name: 'last_latency_ms', type: 'integer', nullable: true },
    lastAttemptAt: timestamptz('last_attempt_at', { nullable: true }),
    deliveredAt: timestamptz('delivered_at', { nullable: true }),
    createdAt: timestamptzNow('created_at'),
  },
  checks: [
    {
      name: 'webhook_deliveries_status_check',
      expression: "status IN ('pending', 'delivered', 'failed', 'skipped')",
    },
  ],
  uniques: [{ name: 'webhook_deliveries_endpoint_message', columns: ['endpointId', 'messageId'] }],
  indices: [{ name: 'webhook_deliveries_endpoint_recent', columns: ['endpointId', 'createdAt'] }],
  relations: {
    endpoint: {
      type: 'many-to-one',
      target: 'WebhookEndpoint',
      onDelete: 'CASCADE',
      joinColumn: { name: 'endpoint_id', foreignKeyConstraintName: 'webhook_deliveries_endpoint_id_fkey' },
    },
  },
});
