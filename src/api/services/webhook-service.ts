import { randomUUID } from 'node:crypto';
import type { Principal } from '../../domain/principal';
import { AppError, conflict, forbidden, notFound } from '../../domain/errors';
import { webhookUrlProblem } from '../../domain/webhooks';
import {
  deleteWebhookEndpoint,
  findWebhookDelivery,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  resetWebhookDelivery,
  updateWebhookEndpoint,
  type WebhookDeliveryRow,
  type WebhookDeliveryStatus,
  type WebhookEndpointRow,
} from '../../db/repositories/webhooks';
import { toAppError } from '../../infra/temporal-errors';
import { enqueueWebhooks, startDelivery } from '../../webhooks/outbox';
import { decryptSecret, encryptSecret, newWebhookSecret } from '../../webhooks/secrets';
import { refusedAddresses } from '../../webhooks/target';
import type { AppDeps } from '../deps';
import type { CreateWebhookBody, UpdateWebhookBody, WebhookDeliveryJson, WebhookJson } from '../schemas/webhooks';
import type { IdempotencyClaim } from './idempotency';

/** Webhook endpoints (staff only) and their delivery log. */
export class WebhookService {
  constructor(private readonly deps: AppDeps) {}

  async create(
    principal: Principal,
    body: CreateWebhookBody,
    claim: IdempotencyClaim,
  ): Promise<WebhookJson & { secret: string }> {
    const ownerId = staffUserId(principal);
    await this.assertTarget(body.url);
    const secret = newWebhookSecret();
    await insertWebhookEndpoint(this.deps.dataSource, {
      id: claim.resourceId,
      ownerId,
      url: body.url,
      events: body.events,
      description: body.description ?? '',
      secretEncrypted: encryptSecret(this.deps.config.webhooks.secretKey, secret),
    });
    return this.withSecret(claim.resourceId);
  }

  /** A retried create (same Idempotency-Key and body, same caller) gets the same answer, secret included. */
  async withSecret(id: string): Promise<WebhookJson & { secret: string }> {
    const row = await this.find(id);
    return { ...endpointJson(row), secret: decryptSecret(this.deps.config.webhooks.secretKey, row.secret_encrypted) };
  }

  async list(): Promise<WebhookJson[]> {
    return (await listWebhookEndpoints(this.deps.dataSource)).map(endpointJson);
  }

  async get(id: string): Promise<WebhookJson> {
    return endpointJson(await this.find(id));
  }

  async update(id: string, patch: UpdateWebhookBody): Promise<WebhookJson> {
    await this.find(id);
    if (patch.url) await this.assertTarget(patch.url);
    const row = await updateWebhookEndpoint(this.deps.dataSource, id, patch);
    if (!row) throw notFound('Webhook');
    return endpointJson(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteWebhookEndpoint(this.deps.dataSource, id))) throw notFound('Webhook');
  }

  async deliveries(
    id: string,
    query: { status?: WebhookDeliveryStatus; limit: number },
  ): Promise<WebhookDeliveryJson[]> {
    await this.find(id);
    return (await listWebhookDeliveries(this.deps.dataSource, id, query)).map(deliveryJson);
  }

  /** Sends a delivery again, with the same webhook-id (receivers dedupe on it), after whatever its key still has queued. */
  async redeliver(id: string, deliveryId: string): Promise<WebhookDeliveryJson> {
    const endpoint = await this.find(id);
    if (!endpoint.enabled)
      throw conflict('WEBHOOK_DISABLED', 'The webhook is disabled: enable it (PATCH {"enabled": true}) first.');
    const delivery = await findWebhookDelivery(this.deps.dataSource, id, deliveryId);
    if (!delivery) throw notFound('Delivery');
    const reset = await resetWebhookDelivery(this.deps.dataSource, delivery.id);
    await this.start(reset);
    return deliveryJson(reset);
  }

  /** A `webhook.test` message to this endpoint alone (it need not subscribe to anything for it). */
  async test(id: string): Promise<WebhookDeliveryJson> {
    const endpoint = await this.find(id);
    if (!endpoint.enabled)
      throw conflict('WEBHOOK_DISABLED', 'The webhook is disabled: enable it (PATCH {"enabled": true}) first.');
    const [row] = await enqueueWebhooks({ ...this.deps, endpointIds: [id] }, [
      {
        key: `test:${id}:${randomUUID()}`,
        type: 'webhook.test',
        orderKey: 'test',
        data: { webhookId: id, message: 'A test message from Roombook.' },
      },
    ]).catch((err: unknown) => {
      throw toAppError(err);
    });
    return deliveryJson(row);
  }

  private async start(row: WebhookDeliveryRow): Promise<void> {
    try {
      await startDelivery(this.deps, row);
    } catch (err) {
      throw toAppError(err);
    }
  }

  private async find(id: string): Promise<WebhookEndpointRow> {
    const row = await findWebhookEndpoint(this.deps.dataSource, id);
    if (!row) throw notFound('Webhook');
    return row;
  }

  /** Refuses URLs we must not call: every address the host resolves to is checked, not just its name. */
  private async assertTarget(url: string): Promise<void> {
    const problem = webhookUrlProblem(url);
    if (problem) throw targetRefused(url, problem);
    if (this.deps.config.webhooks.allowPrivateTargets) return;
    let refused: string[];
    try {
      refused = await refusedAddresses(url);
    } catch {
      throw targetRefused(url, `${new URL(url).hostname} does not resolve`);
    }
    if (refused.length > 0)
      throw targetRefused(
        url,
        `${new URL(url).hostname} resolves to ${refused.join(', ')}: loopback, private and link-local targets are refused (WEBHOOK_ALLOW_PRIVATE_TARGETS)`,
      );
  }
}

function targetRefused(url: string, reason: string): AppError {
  return new AppError(422, 'WEBHOOK_TARGET_REFUSED', `Webhook target refused: ${reason}.`, { url });
}

function staffUserId(principal: Principal): string {
  if (principal.kind !== 'user') throw forbidden();
  return principal.userId;
}

function endpointJson(row: WebhookEndpointRow): WebhookJson {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    ...(row.disabled_reason ? { disabledReason: row.disabled_reason } : {}),
    ...(row.disabled_at ? { disabledAt: row.disabled_at.toISOString() } : {}),
    ...(row.owner_id ? { ownerId: row.owner_id } : {}),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function deliveryJson(row: WebhookDeliveryRow): WebhookDeliveryJson {
  return {
    id: row.id,
    webhookId: row.endpoint_id,
    messageId: row.message_id,
    eventType: row.event_type,
    orderKey: row.order_key,
    status: row.status,
    attempts: row.attempts,
    redeliveries: row.redeliveries,
    ...(row.last_status_code !== null ? { lastStatusCode: row.last_status_code } : {}),
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    ...(row.last_latency_ms !== null ? { lastLatencyMs: row.last_latency_ms } : {}),
    ...(row.last_attempt_at ? { lastAttemptAt: row.last_attempt_at.toISOString() } : {}),
    ...(row.delivered_at ? { deliveredAt: row.delivered_at.toISOString() } : {}),
    createdAt: row.created_at.toISOString(),
    payload: row.payload,
  };
}
