import { EntitySchema } from 'typeorm';
import { generatedUuidKey, integer, text, timestamptz, timestamptzNow, uuid, manyToOne } from './columns';
import type { DisplayTokenEntity } from './display-token';
import type { RoomEntity } from './room';
import type { UserEntity } from './user';
import type { TicketCategory, TicketSeverity, TicketStatus } from '../shared/ticket-lifecycle';

/** A row of `tickets`: a problem reported about a room; its workflow `ticket:<id>` writes status, flags and version. */
export interface TicketEntity {
  id: string;
  roomId: string;
  reporterId: string | null;
  reporterDisplayTokenId: string | null;
  category: TicketCategory;
  severity: TicketSeverity;
  title: string;
  description: string;
  equipment: string | null;
  status: TicketStatus;
  assigneeId: string | null;
  ackDueAt: Date;
  resolveDueAt: Date;
  slaBreached: boolean;
  settledAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  room?: RoomEntity;
  reporter?: UserEntity | null;
  reporterDisplayToken?: DisplayTokenEntity | null;
  assignee?: UserEntity | null;
}

export const TicketSchema = new EntitySchema<TicketEntity>({
  name: 'Ticket',
  tableName: 'tickets',
  columns: {
    id: generatedUuidKey(),
    roomId: uuid('room_id'),
    reporterId: uuid('reporter_id', { nullable: true }),
    reporterDisplayTokenId: uuid('reporter_display_token_id', { nullable: true }),
    category: text('category'),
    severity: text('severity'),
    title: text('title'),
    description: text('description', { default: '' }),
    equipment: text('equipment', { nullable: true }),
    status: text('status', { default: 'open' }),
    assigneeId: uuid('assignee_id', { nullable: true }),
    ackDueAt: timestamptz('ack_due_at'),
    resolveDueAt: timestamptz('resolve_due_at'),
    slaBreached: { name: 'sla_breached', type: 'boolean', default: false },
    settledAt: timestamptz('settled_at', { nullable: true }),
    version: integer('version', { default: 1 }),
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  checks: [
    {
      name: 'tickets_category_check',
      expression: "category IN ('equipment', 'cleaning', 'facilities', 'it', 'other')",
    },
    { name: 'tickets_severity_check', expression: "severity IN ('low', 'normal', 'blocking')" },
    { name: 'tickets_title_check', expression: 'char_length(title) BETWEEN 1 AND 200' },
    { name: 'tickets_description_check', expression: 'char_length(description) <= 4000' },
    {
      name: 'tickets_status_check',
      expression: "status IN ('open', 'acknowledged', 'in_progress', 'resolved', 'closed')",
    },
  ],
  indices: [
    { name: 'tickets_room_status', columns: ['roomId', 'status'] },
    { name: 'tickets_reporter', columns: ['reporterId'] },
  ],
  relations: {
    room: manyToOne('tickets', 'room_id', 'Room', { onDelete: 'CASCADE' }),
    reporter: manyToOne('tickets', 'reporter_id', 'User', { nullable: true, onDelete: 'SET NULL' }),
    reporterDisplayToken: manyToOne('tickets', 'reporter_display_token_id', 'DisplayToken', {
      nullable: true,
      onDelete: 'SET NULL',
    }),
    assignee: manyToOne('tickets', 'assignee_id', 'User', { nullable: true, onDelete: 'SET NULL' }),
  },
});

/** A row of `ticket_comments`. */
export interface TicketCommentEntity {
  id: string;
  ticketId: string;
  authorId: string | null;
  text: string;
  createdAt: Date;
  ticket?: TicketEntity;
  author?: UserEntity | null;
}

export const TicketCommentSchema = new EntitySchema<TicketCommentEntity>({
  name: 'TicketComment',
  tableName: 'ticket_comments',
  columns: {
    id: generatedUuidKey(),
    ticketId: uuid('ticket_id'),
    authorId: uuid('author_id', { nullable: true }),
    text: text('text'),
    createdAt: timestamptzNow('created_at'),
  },
  checks: [{ name: 'ticket_comments_text_check', expression: 'char_length(text) BETWEEN 1 AND 4000' }],
  indices: [{ name: 'ticket_comments_ticket', columns: ['ticketId', 'createdAt'] }],
  relations: {
    ticket: manyToOne('ticket_comments', 'ticket_id', 'Ticket', { onDelete: 'CASCADE' }),
    author: manyToOne('ticket_comments', 'author_id', 'User', { nullable: true, onDelete: 'SET NULL' }),
  },
});

/** A row of `ticket_mail_deliveries`: a ticket message the SMTP server accepted (a retried send skips it). */
export interface TicketMailDeliveryEntity {
  messageId: string;
  ticketId: string;
  kind: string;
  recipient: string;
  sentAt: Date;
  ticket?: TicketEntity;
}

export const TicketMailDeliverySchema = new EntitySchema<TicketMailDeliveryEntity>({
  name: 'TicketMailDelivery',
  tableName: 'ticket_mail_deliveries',
  columns: {
    messageId: { name: 'message_id', type: 'text', primary: true },
    ticketId: uuid('ticket_id'),
    kind: text('kind'),
    recipient: { name: 'recipient', type: 'citext' },
    sentAt: timestamptzNow('sent_at'),
  },
  indices: [{ name: 'ticket_mail_deliveries_ticket', columns: ['ticketId'] }],
  relations: {
    ticket: manyToOne('ticket_mail_deliveries', 'ticket_id', 'Ticket', { onDelete: 'CASCADE' }),
  },
});
