import { ApplicationFailure } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import {
  claimDisabledMail,
  disableWebhookEndpoint,
  findWebhookDeliveryById,
  findWebhookEndpoint,
  recordWebhookAttempt,
  releaseDisabledMail,
  setWebhookDeliveryStatus,
} from '../db/repositories/webhooks';
import { findUserContact } from '../db/repositories/users';
import type { WebhookDeliveryRef } from '../shared/webhook-messages';
import { decryptSecret } from '../webhooks/secrets';
import { postWebhook } from '../webhooks/target';
import type { ActivityDeps } from './deps';

export function createWebhookActivities(
  deps: Pick<ActivityDeps, 'dataSource' | 'temporal' | 'config' | 'mailer' | 'logger' | 'meter'>,
) {
  const { dataSource: db, config } = deps;
  // On the worker's Prometheus endpoint, next to the booking metrics.
  const attempts = deps.meter.createCounter(
    'roombook_webhook_attempts_total',
    'attempts',
    'Webhook delivery attempts by outcome (delivered, failed, refused)',
  );
  const latency = deps.meter.createHistogram(
    'roombook_webhook_attempt_latency_seconds',
    'float',
    's',
    'How long one webhook delivery attempt took',
  );
  const givenUp = deps.meter.createCounter(
    'roombook_webhook_deliveries_given_up_total',
    'deliveries',
    'Webhook deliveries given up after the retry period (their endpoint is disabled)',
  );

  return {
    /**
     * Sends one delivery once: a delivery already delivered (a retried enqueue, a redelivery
     * signalled twice) or of an endpoint that was disabled or deleted is not sent. A failed
     * attempt (no answer, or not 2xx) is recorded and thrown, and Temporal retries it with backoff.
     */
    async deliverWebhook(ref: WebhookDeliveryRef): Promise<{ status: 'delivered' | 'skipped' | 'already' }> {
      const delivery = await findWebhookDeliveryById(db, ref.deliveryId);
      if (!delivery) return { status: 'skipped' };
      if (delivery.status === 'delivered' || delivery.status === 'failed') return { status: 'already' };
      const endpoint = await findWebhookEndpoint(db, delivery.endpoint_id);
      if (!endpoint?.enabled) {
        await setWebhookDeliveryStatus(db, delivery.id, 'skipped', 'the endpoint is disabled');
        return { status: 'skipped' };
      }
      const body = JSON.stringify(delivery.payload);
      const now = new Date();
      const signature = new Webhook(decryptSecret(config.webhooks.secretKey, endpoint.secret_encrypted)).sign(
        delivery.message_id,
        now,
        body,
      );
      const attempt = await postWebhook(
        endpoint.url,
        body,
        {
          'webhook-id': delivery.message_id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
        { timeoutSeconds: config.webhooks.timeoutSeconds, allowPrivateTargets: config.webhooks.allowPrivateTargets },
      );
      const delivered = attempt.statusCode !== undefined && attempt.statusCode >= 200 && attempt.statusCode < 300;
      await recordWebhookAttempt(db, delivery.id, {
        statusCode: attempt.statusCode ?? null,
        error: delivered ? null : (attempt.error ?? `HTTP ${attempt.statusCode}`),
        latencyMs: attempt.latencyMs,
        delivered,
      });
      attempts.add(1, { outcome: delivered ? 'delivered' : attempt.refused ? 'refused' : 'failed' });
      latency.record(attempt.latencyMs / 1000);
      if (delivered) return { status: 'delivered' };
      const reason = attempt.error ?? `the endpoint answered HTTP ${attempt.statusCode}`;
      if (attempt.refused) throw ApplicationFailure.nonRetryable(reason, 'WebhookTargetRefused');
      throw ApplicationFailure.retryable(reason, 'WebhookDeliveryFailed');
    },

    /**
     * A delivery whose retries ran out: marked failed, and its endpoint disabled (it kept failing
     * for the whole retry period); the owner is mailed once per disabling.
     */
    async giveUpWebhookDelivery(input: WebhookDeliveryRef & { reason: string }): Promise<void> {
      const delivery = await findWebhookDeliveryById(db, input.deliveryId);
      // A retry of this activity finds the delivery failed already and finishes the rest.
      if (!delivery || delivery.status === 'delivered' || delivery.status === 'skipped') return;
      if (delivery.status === 'pending') givenUp.add(1);
      await setWebhookDeliveryStatus(db, delivery.id, 'failed', input.reason);
      await disableWebhookEndpoint(
        db,
        delivery.endpoint_id,
        `Delivery ${delivery.id} (${delivery.event_type}) failed for ${config.webhooks.retrySeconds} s: ${input.reason}`,
      );
      await mailOwnerOfDisabled(delivery.endpoint_id);
    },
  };

  async function mailOwnerOfDisabled(endpointId: string): Promise<void> {
    if (!(await claimDisabledMail(db, endpointId))) return;
    try {
      const endpoint = await findWebhookEndpoint(db, endpointId);
      const owner = endpoint?.owner_id ? await findUserContact(db, endpoint.owner_id) : undefined;
      if (!endpoint || !owner) return;
      const manage = `${config.publicUrl.replace(/\/$/, '')}/api/v1/webhooks/${endpoint.id}`;
      await deps.mailer.sendMail({
        from: config.mailFrom,
        to: owner.email,
        subject: `Webhook disabled: ${endpoint.url}`,
        messageId: `<webhook-disabled.${endpoint.id}.${endpoint.disabled_at?.getTime() ?? 0}@roombook>`,
        text: [
          `Roombook stopped sending events to ${endpoint.url}: it kept failing.`,
          '',
          endpoint.disabled_reason ?? '',
          '',
          `Fix the receiver, then enable it again (PATCH ${manage} {"enabled": true}) and redeliver what it missed`,
          `(GET ${manage}/deliveries?status=failed, POST .../deliveries/<id>/redeliver).`,
        ].join('\n'),
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (err) {
      // Let the next attempt of this activity mail it.
      await releaseDisabledMail(db, endpointId);
      throw err;
    }
  }
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
