import { WEBHOOK_EVENT_PATTERNS } from '../../domain/webhooks';
import { z } from '../http/openapi';
import { closedObject } from './identity';

const eventPatterns = z
  .array(z.enum(WEBHOOK_EVENT_PATTERNS, { message: `one of ${WEBHOOK_EVENT_PATTERNS.join(', ')}` }))
  .min(1, 'at least one event pattern')
  .max(WEBHOOK_EVENT_PATTERNS.length)
  .transform((events) => [...new Set(events)])
  .openapi({ example: ['booking.*', 'room.status'] });

const webhookUrl = z
  .string()
  .max(2048, 'at most 2048 characters')
  .url('an http:// or https:// URL')
  .openapi({ example: 'https://hooks.example.com/roombook' });

export const createWebhookSchema = closedObject({
  url: webhookUrl,
  events: eventPatterns,
  description: z.string().trim().max(500, 'at most 500 characters').optional(),
});

export const updateWebhookSchema = closedObject({
  url: webhookUrl.optional(),
  events: eventPatterns.optional(),
  description: z.string().trim().max(500, 'at most 500 characters').optional(),
  enabled: z.boolean().optional(),
});

export const webhookSchema = z
  .object({
    id: z.string().uuid(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string(),
    enabled: z.boolean(),
    disabledReason: z.string().optional(),
    disabledAt: z.string().datetime().optional(),
    ownerId: z.string().uuid().optional(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('Webhook');

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z.string().openapi({
      description: 'The signing secret (Standard Webhooks, whsec_ + base64): shown only in this answer',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
  })
  .openapi('CreatedWebhook');

export const webhookDeliverySchema = z
  .object({
    id: z.string().uuid(),
    webhookId: z.string().uuid(),
    messageId: z.string().openapi({ description: 'The webhook-id header', example: 'msg_2b6YiVHD6lqKEXDz2eypqmpeRkS' }),
    eventType: z.string(),
    orderKey: z.string().openapi({ description: 'Deliveries with the same key arrive in order', example: 'booking:…' }),
    status: z.enum(['pending', 'delivered', 'failed', 'skipped']),
    attempts: z.number().int(),
    redeliveries: z.number().int(),
    lastStatusCode: z.number().int().optional(),
    lastError: z.string().optional(),
    lastLatencyMs: z.number().int().optional(),
    lastAttemptAt: z.string().datetime().optional(),
    deliveredAt: z.string().datetime().optional(),
    createdAt: z.string().datetime(),
    payload: z.object({ type: z.string(), timestamp: z.string(), data: z.unknown() }),
  })
  .openapi('WebhookDelivery');

export const webhookIdParams = z.object({ id: z.string().uuid('a UUID') });
export const webhookDeliveryParams = z.object({
  id: z.string().uuid('a UUID'),
  deliveryId: z.string().uuid('a UUID'),
});
export const webhookDeliveriesQuery = z.object({
  status: z.enum(['pending', 'delivered', 'failed', 'skipped']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export type CreateWebhookBody = z.infer<typeof createWebhookSchema>;
export type UpdateWebhookBody = z.infer<typeof updateWebhookSchema>;
export type WebhookJson = z.infer<typeof webhookSchema>;
export type WebhookDeliveryJson = z.infer<typeof webhookDeliverySchema>;
