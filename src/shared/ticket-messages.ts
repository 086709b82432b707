// Messages of a ticket's workflow, shared by the API (which sends them), the workflow and the
// activities. Sandbox-safe: only @temporalio/workflow definitions and types.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { TicketAction, TicketCategory, TicketSeverity, TicketStatus } from './ticket-lifecycle';

export const ticketWorkflowId = (ticketId: string) => `ticket:${ticketId}`;

/** The Ticket JSON (DESIGN.md, "Tickets"). */
export interface TicketView {
  id: string;
  roomId: string;
  /** The person who reported it; absent when a room display reported it (or the account is gone). */
  reporterId?: string;
  /** Set when the room's display reported it. */
  reportedByDisplay: boolean;
  category: TicketCategory;
  severity: TicketSeverity;
  title: string;
  description: string;
  equipment?: string;
  status: TicketStatus;
  assigneeId?: string;
  ackDueAt: string;
  resolveDueAt: string;
  slaBreached: boolean;
  /** When it was last resolved or closed: reopening is allowed for TICKET_REOPEN_SECONDS after. */
  settledAt?: string;
  /** The outage a blocking ticket opened: its room is out of service until the ticket is resolved. */
  outageId?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What the workflow owns and writes; the rest of the ticket never changes after the report. */
export interface TicketState {
  status: TicketStatus;
  assigneeId: string | null;
  ackDueAt: string;
  resolveDueAt: string;
  slaBreached: boolean;
  settledAt: string | null;
  version: number;
}

export interface TicketWorkflowInput {
  ticketId: string;
  roomId: string;
  severity: TicketSeverity;
  ackDueAt: string;
  resolveDueAt: string;
  sla: { acknowledgeSeconds: number; resolveSeconds: number };
  reopenSeconds: number;
}

/** A move asked for through the API; the service has already checked who may ask. */
export interface TicketMoveRequest {
  action: TicketAction;
  actorId: string;
  note?: string;
}

/** Why a ticket's mail goes out: a move (to the reporter) or a service-level deadline that passed (to facility managers). */
export type TicketMailKind = 'reported' | TicketAction | 'assigned' | 'escalated_acknowledge' | 'escalated_resolve';

export const TicketFailureTypes = {
  invalidState: 'TicketInvalidState',
  reopenWindowClosed: 'TicketReopenWindowClosed',
} as const;

export const moveTicketUpdate = defineUpdate<TicketView, [TicketMoveRequest]>('moveTicket');
export const assignTicketUpdate = defineUpdate<TicketView, [{ assigneeId: string; actorId: string }]>('assignTicket');
export const ticketStateQuery = defineQuery<TicketState>('ticketState');
