import type { Client } from '@temporalio/client';
import { RoomIdKey } from '../shared/search-attributes';
import {
  WAITLIST_WORKFLOW_TYPE,
  slotFreedSignal,
  waitlistWorkflowId,
  type SlotToOffer,
} from '../shared/waitlist-messages';

/**
 * The one entry point for "this interval of this room may be free now": a booking that stopped
 * occupying it (saveBooking), a waiter joining, an outage that ended. Signal-with-start: the room's
 * waitlist workflow runs (or starts) and offers the slots one after the other.
 */
export async function tellWaitlist(
  temporal: Client,
  taskQueue: string,
  roomId: string,
  slot: SlotToOffer,
): Promise<void> {
  await temporal.workflow.signalWithStart(WAITLIST_WORKFLOW_TYPE, {
    workflowId: waitlistWorkflowId(roomId),
    taskQueue,
    args: [{ roomId }],
    signal: slotFreedSignal,
    signalArgs: [slot],
    typedSearchAttributes: [{ key: RoomIdKey, value: roomId }],
    staticSummary: `Waitlist of room ${roomId}`,
  });
}
