import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outgoing webhooks: the endpoints staff register, and one row per message and endpoint (the
 * outbox the delivery workflows work from, and the log people read: status, attempts, latency).
 */
export class Webhooks1700001820000 implements MigrationInterface {
  name = 'Webhooks1700001820000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        description text NOT NULL DEFAULT '',
        -- The signing secret, AES-256-GCM encrypted with WEBHOOK_SECRET_KEY: it must be readable to sign.
        secret_encrypted text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        -- Set when the owner was told of the disabling: one mail per disabling.
        disabled_mailed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        -- The webhook-id header: the same for every attempt and redelivery of this message.
        message_id text NOT NULL,
        event_type text NOT NULL,
        -- Deliveries with the same key arrive in order (one delivery workflow per endpoint and key).
        order_key text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        redeliveries integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        last_latency_ms integer,
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_endpoint_message UNIQUE (endpoint_id, message_id)
      )`);
    await q.query('CREATE INDEX webhook_deliveries_endpoint_recent ON webhook_deliveries (endpoint_id, created_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE webhook_endpoints');
  }
}
