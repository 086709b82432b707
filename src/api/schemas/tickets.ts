import { z } from '../http/openapi';
import { closedObject } from './identity';
import {
  TICKET_CATEGORIES,
  TICKET_SEVERITIES,
  TICKET_STATUSES,
  type TicketStatus,
} from '../../shared/ticket-lifecycle';
import type { TicketView } from '../../shared/ticket-messages';

const note = z.string().trim().min(1, 'must not be empty').max(4000, 'at most 4000 characters');

export const createTicketSchema = closedObject({
  category: z.enum(TICKET_CATEGORIES),
  severity: z
    .enum(TICKET_SEVERITIES)
    .openapi({ description: 'blocking: the room cannot be used (service levels come from TICKET_SLA)' }),
  title: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  description: z.string().trim().max(4000, 'at most 4000 characters').optional(),
  equipment: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'at most 100 characters')
    .optional()
    .openapi({ description: "An item of the room's equipment; shown degraded (broken when blocking) until resolved" }),
}).openapi('CreateTicket');

export const ticketIdParams = z.object({ id: z.string().uuid('a ticket id (uuid)') });

export const listTicketsQuery = z.object({
  roomId: z.string().uuid('a room id (uuid)').optional(),
  status: z.enum(TICKET_STATUSES).optional(),
  severity: z.enum(TICKET_SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ticketMoveSchema = closedObject({ note: note.optional() }).openapi('TicketMove');
export const assignTicketSchema = closedObject({ assigneeId: z.string().uuid('a user id (uuid)') }).openapi(
  'AssignTicket',
);
export const ticketCommentBody = closedObject({ text: note }).openapi('CreateTicketComment');

export const ticketSchema = z
  .object({
    id: z.string().uuid(),
    roomId: z.string().uuid(),
    reporterId: z.string().uuid().optional(),
    reportedByDisplay: z.boolean().openapi({ description: "Reported from the room's door display" }),
    category: z.enum(TICKET_CATEGORIES),
    severity: z.enum(TICKET_SEVERITIES),
    title: z.string(),
    description: z.string(),
    equipment: z.string().optional(),
    status: z.enum(TICKET_STATUSES),
    assigneeId: z.string().uuid().optional(),
    ackDueAt: z.string().datetime(),
    resolveDueAt: z.string().datetime(),
    slaBreached: z
      .boolean()
      .openapi({ description: 'A service-level deadline passed and facility managers were told' }),
    settledAt: z.string().datetime().optional(),
    outageId: z.string().uuid().optional().openapi({
      description:
        'A blocking ticket: the outage it opened (GET /outages/:id); it ends when the ticket is resolved or closed',
    }),
    version: z.number().int(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('Ticket');

export const ticketListSchema = z.object({ tickets: z.array(ticketSchema) }).openapi('TicketList');

export const ticketCommentSchema = z
  .object({
    id: z.string().uuid(),
    ticketId: z.string().uuid(),
    authorId: z.string().uuid().optional(),
    text: z.string(),
    createdAt: z.string().datetime(),
  })
  .openapi('TicketComment');
export const ticketCommentListSchema = z
  .object({ comments: z.array(ticketCommentSchema) })
  .openapi('TicketCommentList');

// The schema documents exactly the view the service answers with.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: [Same<z.infer<typeof ticketSchema>, TicketView>, Same<TicketView['status'], TicketStatus>] = [
  true,
  true,
];
void sameShape;
