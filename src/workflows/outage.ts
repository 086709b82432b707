import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  executeChild,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OutageActivities } from '../activities/outages';
import {
  endOutageUpdate,
  OutageFailureTypes,
  outageStateQuery,
  relocationWorkflowId,
  type OutageView,
  type OutageWorkflowInput,
  type RelocationInput,
  type RelocationResult,
} from '../shared/outage-messages';
import { BookingIdKey, OutageIdKey, OutageOutcomeKey, RoomIdKey } from '../shared/search-attributes';

// Database writes and announcements: retried until Postgres and Redis answer.
const db = proxyActivities<OutageActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['OutageGone'] },
});

// A relocation drives the booking's own workflow (a move or a cancellation): give it time, retry it.
const relocations = proxyActivities<OutageActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const now = () => new Date().getTime();
const iso = (t: number) => new Date(t).toISOString();

/**
 * One displaced booking, `relocation:<outageId>:<bookingId>`: its own execution, so operators list
 * an outage's relocations with `OutageId = "…"` and read each one's result (OutageOutcome) and
 * booking (BookingId).
 */
export async function relocationWorkflow(input: RelocationInput): Promise<RelocationResult> {
  const result = await relocations.relocateBooking(input);
  upsertSearchAttributes([{ key: OutageOutcomeKey, value: result.outcome }]);
  setCurrentDetails(
    result.outcome === 'moved' ? `moved to room ${result.toRoomId}` : `cancelled: ${result.reason ?? ''}`,
  );
  return result;
}

/**
 * A room outage, `outage:<id>`. At once it relocates every active booking its window displaces,
 * one after the other (two relocations of one outage never compete for the same free room), each
 * through the booking's own workflow: the best free room, or a cancellation with the reason. Then
 * it marks the room out of service for its displays when the window begins, and waits for the end:
 * its `until`, or the endOutage update (staff, or the blocking ticket's resolution). Ending writes
 * the row, tells the displays and offers the freed interval to the room's waitlist.
 */
export async function outageWorkflow(input: OutageWorkflowInput): Promise<OutageView> {
  const state = { phase: 'relocating', relocated: 0, total: 0 };
  let endRequested: number | undefined;
  // Set once, when the row says the outage ended: the end update answers with it.
  const closed: { view?: OutageView } = {};

  setHandler(outageStateQuery, () => ({ ...state }));
  setHandler(
    endOutageUpdate,
    async (_request: { by: string }) => {
      endRequested ??= now();
      await condition(() => closed.view !== undefined);
      return closed.view!;
    },
    {
      validator: (_request: { by: string }) => {
        if (closed.view || (input.until !== undefined && Date.parse(input.until) <= now()))
          throw ApplicationFailure.create({
            type: OutageFailureTypes.ended,
            message: 'This outage has already ended.',
            nonRetryable: true,
          });
      },
    },
  );

  const outcome = (value: string) => upsertSearchAttributes([{ key: OutageOutcomeKey, value }]);

  const from = Date.parse(input.from);
  let announced = false;
  if (from <= now()) {
    // Displays show it at once; the moves below announce the room again as each booking leaves.
    await db.announceOutage({ roomId: input.roomId });
    announced = true;
  }

  const displaced = await db.claimDisplacedBookings({ outageId: input.outageId });
  state.total = displaced.length;
  for (const bookingId of displaced) {
    // Ended meanwhile: the rest may stay where they are.
    if (endRequested !== undefined) break;
    setCurrentDetails(`relocating ${state.relocated + 1} of ${state.total}`);
    await executeChild(relocationWorkflow, {
      workflowId: relocationWorkflowId(input.outageId, bookingId),
      args: [{ outageId: input.outageId, bookingId }],
      typedSearchAttributes: [
        { key: OutageIdKey, value: input.outageId },
        { key: BookingIdKey, value: bookingId },
        { key: RoomIdKey, value: input.roomId },
      ],
      staticSummary: `Relocation of booking ${bookingId} out of room ${input.roomId} (outage ${input.outageId})`,
    });
    state.relocated += 1;
  }

  const until = input.until === undefined ? undefined : Date.parse(input.until);
  const requested = () => endRequested !== undefined;
  const waitUntil = async (at: number | undefined): Promise<void> => {
    if (at === undefined) await condition(requested);
    else await condition(requested, Math.max(1, at - now()));
  };

  if (from > now()) {
    state.phase = 'scheduled';
    outcome('scheduled');
    setCurrentDetails(`scheduled from ${input.from}${input.until ? ` until ${input.until}` : ''}`);
    await waitUntil(from);
  }
  if (endRequested === undefined) {
    state.phase = 'active';
    outcome('active');
    setCurrentDetails(`active since ${input.from}; ${input.until ? `until ${input.until}` : 'until it is ended'}`);
    if (!announced) await db.announceOutage({ roomId: input.roomId });
    await waitUntil(until);
  }

  state.phase = 'ended';
  const ended = await db.closeOutage({
    outageId: input.outageId,
    at: iso(endRequested ?? until ?? now()),
  });
  closed.view = ended;
  outcome('ended');
  setCurrentDetails(`ended at ${ended.endedAt ?? iso(now())} (${state.relocated} of ${state.total} relocated)`);
  await condition(allHandlersFinished);
  return ended;
}
