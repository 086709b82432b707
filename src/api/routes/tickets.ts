import type Router from '@koa/router';
import { principalOf } from '../auth/access';
import { resourceRouter, type ApiContext } from '../context';
import { errorSchema } from '../http/openapi';
import { roomIdParams } from '../schemas/rooms';
import {
  assignTicketSchema,
  createTicketSchema,
  listTicketsQuery,
  ticketCommentBody,
  ticketCommentListSchema,
  ticketCommentSchema,
  ticketIdParams,
  ticketListSchema,
  ticketMoveSchema,
  ticketSchema,
} from '../schemas/tickets';
import { idempotencyKeyHeaders, idempotencyKeyOf, ifNotFound } from '../services/idempotency';
import type { TicketAction } from '../../shared/ticket-lifecycle';

const notFound = { description: 'No such room or ticket (or not yours to see)', schema: errorSchema };
const forbidden = { description: 'Not allowed to do this to the ticket', schema: errorSchema };

const MOVES: { action: TicketAction; path: string; summary: string }[] = [
  { action: 'acknowledge', path: 'acknowledge', summary: 'Acknowledge a ticket (staff): stops the acknowledge timer' },
  { action: 'start', path: 'start', summary: 'Start work on a ticket (staff)' },
  { action: 'resolve', path: 'resolve', summary: 'Resolve a ticket (staff): stops the resolve timer' },
  { action: 'close', path: 'close', summary: 'Close a ticket (staff, or the reporter withdrawing it)' },
  {
    action: 'reopen',
    path: 'reopen',
    summary: 'Reopen a resolved or closed ticket within TICKET_REOPEN_SECONDS (staff or the reporter); fresh deadlines',
  },
];

/** Facility tickets: reports about a room, their moves, assignment and comments. */
export function ticketsRouter(api: ApiContext): Router {
  const { router, route } = resourceRouter(api);
  const { tickets: service, idempotency } = api.services;
  const tags = ['tickets'];

  route({
    method: 'post',
    path: '/rooms/:id/tickets',
    summary: "Report a problem with a room (any person, or the room's display)",
    tags,
    secured: true,
    before: [api.access.room()],
    params: roomIdParams,
    headers: idempotencyKeyHeaders,
    body: createTicketSchema,
    responses: {
      201: { description: 'The ticket; its workflow ticket:<id> runs the service-level timers', schema: ticketSchema },
      404: notFound,
      422: {
        description:
          'The room has no such equipment (POLICY_VIOLATION), or the Idempotency-Key was used with another body',
        schema: errorSchema,
      },
    },
    handler: async (ctx, { params, body }) => {
      const principal = principalOf(ctx);
      const ownerId = principal.kind === 'user' ? principal.userId : principal.displayTokenId;
      const { result: ticket, replayed } = await idempotency.run(
        { scope: 'ticket', ownerId, key: idempotencyKeyOf(ctx), body: { roomId: params.id, ...body } },
        (claim) => service.report(principal, params.id, body, claim),
        (ticketId) => service.get(principal, ticketId).catch(ifNotFound(undefined)),
      );
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = 201;
      ctx.set('Location', `/api/v1/tickets/${ticket.id}`);
      ctx.body = ticket;
    },
  });

  route({
    method: 'get',
    path: '/tickets',
    summary: "Tickets, newest first (staff: all; others: their own reports; a display: its room's)",
    tags,
    secured: true,
    before: [api.access.anyone()],
    query: listTicketsQuery,
    responses: { 200: { description: 'The tickets', schema: ticketListSchema }, 403: forbidden },
    handler: async (ctx, { query }) => {
      ctx.body = await service.list(principalOf(ctx), query);
    },
  });

  route({
    method: 'get',
    path: '/tickets/:id',
    summary: 'Read a ticket',
    tags,
    secured: true,
    before: [api.access.anyone()],
    params: ticketIdParams,
    responses: { 200: { description: 'The ticket', schema: ticketSchema }, 404: notFound },
    handler: async (ctx, { params }) => {
      ctx.body = await service.get(principalOf(ctx), params.id);
    },
  });

  for (const move of MOVES)
    route({
      method: 'post',
      path: `/tickets/:id/${move.path}`,
      summary: move.summary,
      tags,
      secured: true,
      before: [api.access.user()],
      params: ticketIdParams,
      body: ticketMoveSchema,
      responses: {
        200: { description: 'The ticket after the move (a note becomes a comment)', schema: ticketSchema },
        403: forbidden,
        404: notFound,
        409: {
          description: 'INVALID_STATE, REOPEN_WINDOW_CLOSED, or TICKET_CLOSED (its workflow has ended)',
          schema: errorSchema,
        },
      },
      handler: async (ctx, { params, body }) => {
        ctx.body = await service.move(principalOf(ctx), params.id, move.action, body.note);
      },
    });

  route({
    method: 'post',
    path: '/tickets/:id/assign',
    summary: 'Assign a ticket to a facility manager or admin (staff)',
    tags,
    secured: true,
    before: [api.access.staff()],
    params: ticketIdParams,
    body: assignTicketSchema,
    responses: {
      200: { description: 'The ticket', schema: ticketSchema },
      403: forbidden,
      404: notFound,
      409: { description: 'INVALID_STATE (closed) or TICKET_CLOSED', schema: errorSchema },
      422: { description: 'The assignee is not staff (POLICY_VIOLATION)', schema: errorSchema },
    },
    handler: async (ctx, { params, body }) => {
      ctx.body = await service.assign(principalOf(ctx), params.id, body.assigneeId);
    },
  });

  route({
    method: 'get',
    path: '/tickets/:id/comments',
    summary: "A ticket's comments, oldest first",
    tags,
    secured: true,
    before: [api.access.anyone()],
    params: ticketIdParams,
    responses: { 200: { description: 'The comments', schema: ticketCommentListSchema }, 404: notFound },
    handler: async (ctx, { params }) => {
      ctx.body = await service.comments(principalOf(ctx), params.id);
    },
  });

  route({
    method: 'post',
    path: '/tickets/:id/comments',
    summary: 'Comment on a ticket (staff, or its reporter)',
    tags,
    secured: true,
    before: [api.access.user()],
    params: ticketIdParams,
    body: ticketCommentBody,
    responses: { 201: { description: 'The comment', schema: ticketCommentSchema }, 404: notFound },
    handler: async (ctx, { params, body }) => {
      ctx.status = 201;
      ctx.body = await service.comment(principalOf(ctx), params.id, body.text);
    },
  });

  return router;
}
