import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { roomStatusAt } from '../domain/room-status';
import { endpointWants, webhookTypesFor, type WebhookEventType } from '../domain/webhooks';
import { loadRoomStatusInputs } from '../db/repositories/room-status';
import {
  enqueueWebhookDelivery,
  listEnabledWebhookEndpoints,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from '../db/repositories/webhooks';
import type { WaitlistEntry } from '../domain/waitlist';
import type { BookingEvent, BookingView } from '../shared/booking-messages';
import type { TicketMailKind, TicketView } from '../shared/ticket-messages';
import {
  enqueueWebhookSignal,
  WEBHOOK_DELIVERY_WORKFLOW_TYPE,
  webhookDeliveryWorkflowId,
  type WebhookDeliveryWorkflowInput,
} from '../shared/webhook-messages';

/** One message before it is addressed to endpoints. */
export interface WebhookMessage {
  /** Stable across retries of whatever produced it: the webhook-id is derived from it. */
  key: string;
  type: WebhookEventType;
  orderKey: string;
  data: unknown;
}

/** `msg_` + a digest of the message's key: the same event enqueued twice has one webhook-id. */
export function webhookMessageId(key: string): string {
  return `msg_${createHash('sha256').update(key).digest('base64url').slice(0, 27)}`;
}

/**
 * The webhooks a workflow's booking event becomes: the booking's change (ordered per booking)
 * and the room's status after it (ordered per room). Keys come from the workflow, the booking's
 * version and the kind, so a retried announcement makes the same messages.
 */
export async function bookingEventMessages(db: DataSource, event: BookingEvent): Promise<WebhookMessage[]> {
  const { booking, kind } = event;
  const base = `${booking.workflowId}#v${booking.version}#${kind}`;
  const messages: WebhookMessage[] = [];
  for (const type of webhookTypesFor(kind, booking.version)) {
    if (type === 'room.status') {
      const at = Date.now();
      const inputs = await loadRoomStatusInputs(db, booking.roomId, at);
      if (inputs)
        messages.push({
          key: `${base}#room.status`,
          type,
          orderKey: `room:${booking.roomId}`,
          data: roomStatusAt(inputs.room, inputs.bookings, at),
        });
    } else {
      messages.push({
        key: `${base}#${type}`,
        type,
        orderKey: `booking:${booking.id}`,
        data: {
          kind,
          booking: publicView(booking),
          ...(event.previous ? { previous: event.previous } : {}),
        },
      });
    }
  }
  return messages;
}

function publicView(booking: BookingView): BookingView {
  const { runId: _runId, ...rest } = booking as BookingView & { runId?: string };
  return rest;
}

/**
 * For the booking announcement, which runs inside the booking's workflow task (a local activity):
 * one cheap read when no endpoint wants the event, and the room's status is computed only when one does.
 */
export async function enqueueBookingEventWebhooks(
  deps: { dataSource: DataSource; temporal: Client; config: Config },
  event: BookingEvent,
): Promise<void> {
  const types = webhookTypesFor(event.kind, event.booking.version);
  if (types.length === 0) return;
  const endpoints = await listEnabledWebhookEndpoints(deps.dataSource);
  if (!endpoints.some((e) => types.some((type) => endpointWants(e.events, type)))) return;
  await enqueueWebhooks(deps, await bookingEventMessages(deps.dataSource, event), endpoints);
}

/**
 * `ticket.updated` for one version of a ticket (ordered per ticket): keyed by the ticket's id and
 * version, so a retried announcement makes the same message.
 */
export function ticketUpdatedMessage(ticket: TicketView, kind: TicketMailKind): WebhookMessage {
  return {
    key: `ticket:${ticket.id}#v${ticket.version}#ticket.updated`,
    type: 'ticket.updated',
    orderKey: `ticket:${ticket.id}`,
    data: { kind, ticket },
  };
}

/**
 * `waitlist.offer` when a waiter is offered a hold (ordered per entry): keyed by the entry and the
 * offer's booking, so a retried offer makes the same message.
 */
export function waitlistOfferMessage(entry: WaitlistEntry): WebhookMessage {
  return {
    key: `waitlist:${entry.id}#${entry.offer?.bookingId ?? ''}#waitlist.offer`,
    type: 'waitlist.offer',
    orderKey: `waitlist:${entry.id}`,
    data: { entry },
  };
}

/**
 * For events other than bookings': one cheap read when no endpoint wants any of the messages,
 * else the rows and their delivery workflows (enqueueWebhooks).
 */
export async function enqueueWantedWebhooks(
  deps: { dataSource: DataSource; temporal: Client; config: Config },
  messages: WebhookMessage[],
): Promise<void> {
  const endpoints = await listEnabledWebhookEndpoints(deps.dataSource);
  if (!endpoints.some((e) => messages.some((m) => endpointWants(e.events, m.type)))) return;
  await enqueueWebhooks(deps, messages, endpoints);
}

/**
 * Writes each message's delivery row for every enabled endpoint that wants it, then hands the
 * pending ones to their delivery workflows. Safe to repeat: rows are unique per endpoint and
 * message, and the workflows drop a ref they have seen.
 */
export async function enqueueWebhooks(
  deps: { dataSource: DataSource; temporal: Client; config: Config; endpointIds?: string[] },
  messages: WebhookMessage[],
  enabled?: WebhookEndpointRow[],
): Promise<WebhookDeliveryRow[]> {
  if (messages.length === 0) return [];
  const endpoints = (enabled ?? (await listEnabledWebhookEndpoints(deps.dataSource))).filter(
    (e) => !deps.endpointIds || deps.endpointIds.includes(e.id),
  );
  const rows: WebhookDeliveryRow[] = [];
  const timestamp = new Date().toISOString();
  for (const endpoint of endpoints) {
    for (const message of messages) {
      if (!endpointWants(endpoint.events, message.type)) continue;
      rows.push(
        await enqueueWebhookDelivery(deps.dataSource, {
          endpointId: endpoint.id,
          messageId: webhookMessageId(message.key),
          eventType: message.type,
          orderKey: message.orderKey,
          payload: { type: message.type, timestamp, data: message.data },
        }),
      );
    }
  }
  for (const row of rows) if (row.status === 'pending') await startDelivery(deps, row);
  return rows;
}

/** Signals the delivery workflow of the row's endpoint and key, starting it when it is not running. */
export async function startDelivery(
  deps: { temporal: Client; config: Config },
  row: Pick<WebhookDeliveryRow, 'id' | 'endpoint_id' | 'order_key' | 'redeliveries' | 'payload'>,
): Promise<void> {
  const { webhooks } = deps.config;
  const input: WebhookDeliveryWorkflowInput = {
    endpointId: row.endpoint_id,
    orderKey: row.order_key,
    retry: {
      initialIntervalSeconds: webhooks.initialIntervalSeconds,
      maxIntervalSeconds: webhooks.maxIntervalSeconds,
      retrySeconds: webhooks.retrySeconds,
      timeoutSeconds: webhooks.timeoutSeconds,
    },
  };
  await deps.temporal.workflow.signalWithStart(WEBHOOK_DELIVERY_WORKFLOW_TYPE, {
    workflowId: webhookDeliveryWorkflowId(row.endpoint_id, row.order_key),
    taskQueue: deps.config.temporal.taskQueue,
    args: [input],
    signal: enqueueWebhookSignal,
    signalArgs: [{ deliveryId: row.id, round: row.redeliveries, ...sequenceOf(row) }],
    staticSummary: `Webhook deliveries to endpoint ${row.endpoint_id} for ${row.order_key}`,
  });
}

/** The version that orders a key's messages: the booking's, or the ticket's. */
function sequenceOf(row: Pick<WebhookDeliveryRow, 'payload'>): { sequence?: number } {
  const data = row.payload.data as { booking?: { version?: unknown }; ticket?: { version?: unknown } } | null;
  const version = data?.booking?.version ?? data?.ticket?.version;
  return typeof version === 'number' ? { sequence: version } : {};
}
