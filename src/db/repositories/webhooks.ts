import { selectRows, updatedRows, type Queryable } from '../queryable';

/** Webhook endpoints and their deliveries (the outbox and the delivery log). */

export interface WebhookEndpointRow {
  id: string;
  owner_id: string | null;
  url: string;
  events: string[];
  description: string;
  secret_encrypted: string;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  disabled_mailed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

export interface WebhookDeliveryRow {
  id: string;
  endpoint_id: string;
  message_id: string;
  event_type: string;
  order_key: string;
  payload: { type: string; timestamp: string; data: unknown };
  status: WebhookDeliveryStatus;
  attempts: number;
  redeliveries: number;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

export async function insertWebhookEndpoint(
  db: Queryable,
  endpoint: {
    id: string;
    ownerId: string;
    url: string;
    events: string[];
    description: string;
    secretEncrypted: string;
  },
): Promise<WebhookEndpointRow | undefined> {
  const [row] = await selectRows<WebhookEndpointRow>(
    db,
    `INSERT INTO webhook_endpoints (id, owner_id, url, events, description, secret_encrypted)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING *`,
    [endpoint.id, endpoint.ownerId, endpoint.url, endpoint.events, endpoint.description, endpoint.secretEncrypted],
  );
  return row;
}

export function listWebhookEndpoints(db: Queryable): Promise<WebhookEndpointRow[]> {
  return selectRows<WebhookEndpointRow>(db, 'SELECT * FROM webhook_endpoints ORDER BY created_at, id');
}

export function listEnabledWebhookEndpoints(db: Queryable): Promise<WebhookEndpointRow[]> {
  return selectRows<WebhookEndpointRow>(db, 'SELECT * FROM webhook_endpoints WHERE enabled ORDER BY created_at, id');
}

export async function findWebhookEndpoint(db: Queryable, id: string): Promise<WebhookEndpointRow | undefined> {
  const [row] = await selectRows<WebhookEndpointRow>(db, 'SELECT * FROM webhook_endpoints WHERE id = $1', [id]);
  return row;
}

/** Re-enabling clears why it was disabled. Undefined when there is no such endpoint. */
export async function updateWebhookEndpoint(
  db: Queryable,
  id: string,
  patch: { url?: string; events?: string[]; description?: string; enabled?: boolean },
): Promise<WebhookEndpointRow | undefined> {
  const [row] = await updatedRows<WebhookEndpointRow>(
    db,
    `UPDATE webhook_endpoints SET
       url = COALESCE($2, url),
       events = COALESCE($3, events),
       description = COALESCE($4, description),
       enabled = COALESCE($5, enabled),
       disabled_reason = CASE WHEN $5 IS TRUE THEN NULL ELSE disabled_reason END,
       disabled_at = CASE WHEN $5 IS TRUE THEN NULL WHEN $5 IS FALSE THEN COALESCE(disabled_at, now()) ELSE disabled_at END,
       disabled_mailed_at = CASE WHEN $5 IS TRUE THEN NULL ELSE disabled_mailed_at END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, patch.url ?? null, patch.events ?? null, patch.description ?? null, patch.enabled ?? null],
  );
  return row;
}

export async function deleteWebhookEndpoint(db: Queryable, id: string): Promise<boolean> {
  const rows = await updatedRows<{ id: string }>(db, 'DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}

/** Disables a live endpoint; the row when this call disabled it (so only one caller mails its owner). */
export async function disableWebhookEndpoint(
  db: Queryable,
  id: string,
  reason: string,
): Promise<WebhookEndpointRow | undefined> {
  const [row] = await updatedRows<WebhookEndpointRow>(
    db,
    `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
     WHERE id = $1 AND enabled RETURNING *`,
    [id, reason],
  );
  return row;
}

/** Claims the owner's disabling mail: true for the one caller that should send it. */
export async function claimDisabledMail(db: Queryable, id: string): Promise<boolean> {
  const rows = await updatedRows<{ id: string }>(
    db,
    `UPDATE webhook_endpoints SET disabled_mailed_at = now()
     WHERE id = $1 AND NOT enabled AND disabled_mailed_at IS NULL RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

export async function releaseDisabledMail(db: Queryable, id: string): Promise<void> {
  await db.query<unknown>('UPDATE webhook_endpoints SET disabled_mailed_at = NULL WHERE id = $1', [id]);
}

/** The outbox: one row per message and endpoint; a repeated enqueue answers the existing row. */
export async function enqueueWebhookDelivery(
  db: Queryable,
  delivery: { endpointId: string; messageId: string; eventType: string; orderKey: string; payload: unknown },
): Promise<WebhookDeliveryRow> {
  const [inserted] = await selectRows<WebhookDeliveryRow>(
    db,
    `INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, order_key, payload)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT ON CONSTRAINT webhook_deliveries_endpoint_message DO NOTHING RETURNING *`,
    [delivery.endpointId, delivery.messageId, delivery.eventType, delivery.orderKey, JSON.stringify(delivery.payload)],
  );
  if (inserted) return inserted;
  const [existing] = await selectRows<WebhookDeliveryRow>(
    db,
    'SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND message_id = $2',
    [delivery.endpointId, delivery.messageId],
  );
  return existing;
}

export async function findWebhookDelivery(
  db: Queryable,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await selectRows<WebhookDeliveryRow>(
    db,
    'SELECT * FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2',
    [deliveryId, endpointId],
  );
  return row;
}

export async function findWebhookDeliveryById(
  db: Queryable,
  deliveryId: string,
): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await selectRows<WebhookDeliveryRow>(db, 'SELECT * FROM webhook_deliveries WHERE id = $1', [
    deliveryId,
  ]);
  return row;
}

/** Newest first, with an optional status filter. */
export function listWebhookDeliveries(
  db: Queryable,
  endpointId: string,
  options: { status?: WebhookDeliveryStatus; limit: number },
): Promise<WebhookDeliveryRow[]> {
  return selectRows<WebhookDeliveryRow>(
    db,
    `SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2)
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [endpointId, options.status ?? null, options.limit],
  );
}

/** One attempt's outcome; a success marks the delivery delivered. */
export async function recordWebhookAttempt(
  db: Queryable,
  deliveryId: string,
  attempt: { statusCode: number | null; error: string | null; latencyMs: number; delivered: boolean },
): Promise<void> {
  await db.query<unknown>(
    `UPDATE webhook_deliveries SET
       attempts = attempts + 1,
       last_status_code = $2,
       last_error = $3,
       last_latency_ms = $4,
       last_attempt_at = now(),
       status = CASE WHEN $5 THEN 'delivered' ELSE status END,
       delivered_at = CASE WHEN $5 THEN now() ELSE delivered_at END
     WHERE id = $1`,
    [deliveryId, attempt.statusCode, attempt.error, attempt.latencyMs, attempt.delivered],
  );
}

export async function setWebhookDeliveryStatus(
  db: Queryable,
  deliveryId: string,
  status: Exclude<WebhookDeliveryStatus, 'delivered'>,
  error?: string,
): Promise<void> {
  await db.query<unknown>(
    `UPDATE webhook_deliveries SET status = $2, last_error = COALESCE($3, last_error)
     WHERE id = $1 AND status = 'pending'`,
    [deliveryId, status, error ?? null],
  );
}

/** A manual redelivery: pending again, in a new round. */
export async function resetWebhookDelivery(db: Queryable, deliveryId: string): Promise<WebhookDeliveryRow> {
  const [row] = await updatedRows<WebhookDeliveryRow>(
    db,
    `UPDATE webhook_deliveries SET status = 'pending', redeliveries = redeliveries + 1, delivered_at = NULL
     WHERE id = $1 RETURNING *`,
    [deliveryId],
  );
  return row;
}
