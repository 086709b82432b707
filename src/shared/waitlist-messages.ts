// The waitlist workflow's contract: one workflow per room hands the room's freed slots to its
// waiters, one offer at a time. Imported by the API, the activities and the workflow.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const WAITLIST_WORKFLOW_TYPE = 'waitlistRoomWorkflow';

/** `waitlist:<roomId>`: every freed slot of a room and every new waiter for it meet here. */
export const waitlistWorkflowId = (roomId: string): string => `waitlist:${roomId}`;

/** An interval of a room that may have someone to offer it to: a booking ended early, an outage ended, a waiter joined. */
export interface SlotToOffer {
  start: string;
  end: string;
  /** Why it is being looked at: for the workflow's details and the logs. */
  reason: string;
}

export interface WaitlistRoomInput {
  roomId: string;
  /** Carried over a continue-as-new: slots signalled but not yet handled. */
  pending?: SlotToOffer[];
}

export interface WaitlistRoomState {
  roomId: string;
  pending: SlotToOffer[];
  offersMade: number;
}

export const slotFreedSignal = defineSignal<[SlotToOffer]>('slotFreed');
export const waitlistStateQuery = defineQuery<WaitlistRoomState>('state');
