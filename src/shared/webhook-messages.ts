// The API, the activities and the delivery workflow import this file, so it holds definitions only.
import { defineSignal } from '@temporalio/workflow';

export const WEBHOOK_DELIVERY_WORKFLOW_TYPE = 'webhookDeliveryWorkflow';

/** One delivery workflow per endpoint and order key (a booking, a room): its messages go out in order. */
export const webhookDeliveryWorkflowId = (endpointId: string, orderKey: string) => `webhook:${endpointId}:${orderKey}`;

/** A delivery to send; `round` tells a manual redelivery apart from the first enqueue of the same row. */
export interface WebhookDeliveryRef {
  deliveryId: string;
  round: number;
  /** The booking's version for booking messages: of those waiting, the lowest goes first. */
  sequence?: number;
}

export const enqueueWebhookSignal = defineSignal<[WebhookDeliveryRef]>('enqueueWebhook');

/** Retry settings (from config, read by whoever starts the workflow: workflow code reads no environment). */
export interface WebhookRetrySettings {
  initialIntervalSeconds: number;
  maxIntervalSeconds: number;
  /** How long one delivery is retried before it is given up. */
  retrySeconds: number;
  timeoutSeconds: number;
}

export interface WebhookDeliveryWorkflowInput {
  endpointId: string;
  orderKey: string;
  retry: WebhookRetrySettings;
  /** Carried over continue-as-new: deliveries enqueued and not yet sent, and those already seen. */
  queue?: WebhookDeliveryRef[];
  seen?: string[];
}
