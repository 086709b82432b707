// Messages of a room outage's workflow and its relocations, shared by the API, the activities and
// the workflows. Sandbox-safe: only @temporalio/workflow definitions and types.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const OUTAGE_WORKFLOW_TYPE = 'outageWorkflow';

/** `outage:<id>`: relocates what the outage displaces, then waits for its end. */
export const outageWorkflowId = (outageId: string): string => `outage:${outageId}`;

/** `relocation:<outageId>:<bookingId>`: one displaced booking, moved or cancelled. */
export const relocationWorkflowId = (outageId: string, bookingId: string): string =>
  `relocation:${outageId}:${bookingId}`;

export type OutageStatus = 'scheduled' | 'active' | 'ended';
export type RelocationOutcome = 'pending' | 'moved' | 'cancelled';

export interface RelocationView {
  bookingId: string;
  outcome: RelocationOutcome;
  toRoomId?: string;
  reason?: string;
}

/** The Outage JSON (DESIGN.md, "Room outages and relocation"). */
export interface OutageView {
  id: string;
  roomId: string;
  from: string;
  /** The planned end; absent for an open-ended outage (a blocking ticket's). */
  until?: string;
  reason: string;
  ticketId?: string;
  status: OutageStatus;
  /** When it was ended (by POST /outages/:id/end, the ticket's resolution, or its until). */
  endedAt?: string;
  relocations: RelocationView[];
  createdAt: string;
}

export interface OutageWorkflowInput {
  outageId: string;
  roomId: string;
  from: string;
  until?: string;
}

export interface RelocationInput {
  outageId: string;
  bookingId: string;
}

export interface RelocationResult {
  bookingId: string;
  outcome: Exclude<RelocationOutcome, 'pending'>;
  toRoomId?: string;
  reason?: string;
}

export const OutageFailureTypes = {
  /** The outage has already ended: nothing to end. */
  ended: 'OutageEnded',
} as const;

/** Ends the outage now (staff, or the blocking ticket's resolution); answers once the row says so. */
export const endOutageUpdate = defineUpdate<OutageView, [{ by: string }]>('endOutage');
export const outageStateQuery = defineQuery<{ phase: string; relocated: number; total: number }>('outageState');
