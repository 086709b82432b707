import type Router from '@koa/router';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema, z } from '../http/openapi';
import {
  createdWebhookSchema,
  createWebhookSchema,
  updateWebhookSchema,
  webhookDeliveriesQuery,
  webhookDeliveryParams,
  webhookDeliverySchema,
  webhookIdParams,
  webhookSchema,
} from '../schemas/webhooks';
import { idempotencyKeyHeaders, idempotencyKeyOf, ifNotFound } from '../services/idempotency';

const notFound = { description: 'No such webhook', schema: errorSchema };
const forbidden = { description: 'Only staff (facility managers, admins) manage webhooks', schema: errorSchema };
const disabled = { description: 'The webhook is disabled (WEBHOOK_DISABLED): enable it first', schema: errorSchema };

/** Outgoing webhooks (Standard Webhooks signatures): staff register endpoints and read their deliveries. */
export function webhooksRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { webhooks, idempotency } = api.services;
  const tags = ['webhooks'];
  const staff = [api.access.staff()];

  route({
    method: 'post',
    path: '/webhooks',
    summary: 'Register an endpoint for event patterns (the signing secret is shown only in this answer)',
    tags,
    secured: true,
    before: staff,
    headers: idempotencyKeyHeaders,
    body: createWebhookSchema,
    responses: {
      201: { description: 'The endpoint and its secret', schema: createdWebhookSchema },
      403: forbidden,
      422: {
        description:
          'The URL resolves to a loopback, private or link-local address, or does not resolve (WEBHOOK_TARGET_REFUSED); or the Idempotency-Key was used with another body',
        schema: errorSchema,
      },
    },
    handler: async (ctx, { body }) => {
      const principal = principalOf(ctx);
      const ownerId = principal.kind === 'user' ? principal.userId : principal.displayTokenId;
      const { result, replayed } = await idempotency.run(
        { scope: 'webhook', ownerId, key: idempotencyKeyOf(ctx), body },
        (claim) => webhooks.create(principal, body, claim),
        (id) => webhooks.withSecret(id).catch(ifNotFound(undefined)),
      );
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = 201;
      ctx.set('Location', `/api/v1/webhooks/${result.id}`);
      ctx.body = result;
    },
  });

  route({
    method: 'get',
    path: '/webhooks',
    summary: 'Every registered endpoint (never the secrets)',
    tags,
    secured: true,
    before: staff,
    responses: {
      200: { description: 'Endpoints', schema: z.object({ items: z.array(webhookSchema) }) },
      403: forbidden,
    },
    handler: async (ctx) => {
      ctx.body = { items: await webhooks.list() };
    },
  });

  route({
    method: 'get',
    path: '/webhooks/:id',
    summary: 'One endpoint (never its secret)',
    tags,
    secured: true,
    before: staff,
    params: webhookIdParams,
    responses: { 200: { description: 'The endpoint', schema: webhookSchema }, 403: forbidden, 404: notFound },
    handler: async (ctx, { params }) => {
      ctx.body = await webhooks.get(params.id);
    },
  });

  route({
    method: 'patch',
    path: '/webhooks/:id',
    summary: 'Change the URL, patterns or description; enable a disabled endpoint again',
    tags,
    secured: true,
    before: staff,
    params: webhookIdParams,
    body: updateWebhookSchema,
    responses: {
      200: { description: 'The endpoint', schema: webhookSchema },
      403: forbidden,
      404: notFound,
      422: { description: 'The new URL is refused (WEBHOOK_TARGET_REFUSED)', schema: errorSchema },
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = await webhooks.update(params.id, body);
    },
  });

  route({
    method: 'delete',
    path: '/webhooks/:id',
    summary: 'Remove an endpoint and its delivery log; nothing more is sent to it',
    tags,
    secured: true,
    before: staff,
    params: webhookIdParams,
    responses: { 204: { description: 'Removed' }, 403: forbidden, 404: notFound },
    handler: async (ctx, { params }) => {
      await webhooks.remove(params.id);
      ctx.status = 204;
    },
  });

  route({
    method: 'get',
    path: '/webhooks/:id/deliveries',
    summary: "The endpoint's deliveries, newest first: status, attempts, last answer and latency",
    tags,
    secured: true,
    before: staff,
    params: webhookIdParams,
    query: webhookDeliveriesQuery,
    responses: {
      200: { description: 'Deliveries', schema: z.object({ items: z.array(webhookDeliverySchema) }) },
      403: forbidden,
      404: notFound,
    },
    handler: async (ctx, { params, query }) => {
      ctx.body = { items: await webhooks.deliveries(params.id, query) };
    },
  });

  route({
    method: 'post',
    path: '/webhooks/:id/deliveries/:deliveryId/redeliver',
    summary: 'Send a delivery again (same webhook-id), in order after what its booking still has queued',
    tags,
    secured: true,
    before: staff,
    params: webhookDeliveryParams,
    responses: {
      202: { description: 'Queued again', schema: webhookDeliverySchema },
      403: forbidden,
      404: { description: 'No such webhook or delivery', schema: errorSchema },
      409: disabled,
    },
    handler: async (ctx, { params }) => {
      ctx.status = 202;
      ctx.body = await webhooks.redeliver(params.id, params.deliveryId);
    },
  });

  route({
    method: 'post',
    path: '/webhooks/:id/test',
    summary: 'Send a webhook.test message to this endpoint',
    tags,
    secured: true,
    before: staff,
    params: webhookIdParams,
    responses: {
      202: { description: 'Queued', schema: webhookDeliverySchema },
      403: forbidden,
      404: notFound,
      409: disabled,
    },
    handler: async (ctx, { params }) => {
      ctx.status = 202;
      ctx.body = await webhooks.test(params.id);
    },
  });

  return router;
}
