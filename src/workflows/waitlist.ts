import {
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { WaitlistActivities } from '../activities/waitlist';
import {
  slotFreedSignal,
  waitlistStateQuery,
  type SlotToOffer,
  type WaitlistRoomInput,
} from '../shared/waitlist-messages';

const offers = proxyActivities<WaitlistActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

// With nothing to offer for this long the run closes; the next freed slot starts a new one.
const IDLE_CLOSE = '10 minutes';
const HISTORY_TURNOVER = 500;

/**
 * `waitlist:<roomId>`: the one place a room's freed slots are offered, one after the other. Frees
 * and joins only signal it (signal-with-start), so two frees of one room never run their offers at
 * once; the hold each offer makes is a booking under the no-overlap constraint, so not even two
 * rooms' workflows can offer one person's slot twice or one slot to two people.
 */
export async function waitlistRoomWorkflow(input: WaitlistRoomInput): Promise<{ roomId: string; offersMade: number }> {
  const pending: SlotToOffer[] = [...(input.pending ?? [])];
  let offersMade = 0;
  let handled = 0;

  setHandler(slotFreedSignal, (slot) => {
    pending.push(slot);
  });
  setHandler(waitlistStateQuery, () => ({ roomId: input.roomId, pending: [...pending], offersMade }));

  for (;;) {
    setCurrentDetails(`${pending.length} slot(s) to offer · ${offersMade} offer(s) made`);
    if (!(await condition(() => pending.length > 0, IDLE_CLOSE))) break;
    const slot = pending.shift() as SlotToOffer;
    // Chosen here, once: a retried activity derives the same booking ids from it.
    const offerKey = uuid4();
    const { offered } = await offers.offerFreedSlot({ roomId: input.roomId, ...slot, offerKey });
    if (offered) offersMade += 1;
    handled += 1;
    if (handled >= HISTORY_TURNOVER || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof waitlistRoomWorkflow>({ roomId: input.roomId, pending });
    }
  }
  return { roomId: input.roomId, offersMade };
}
