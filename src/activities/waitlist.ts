import { createHash } from 'node:crypto';
import { Emitter } from '@socket.io/redis-emitter';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { findOverlapping, listOccupying } from '../db/repositories/bookings';
import { RoomRepository } from '../db/repositories/rooms';
import { findUserContact } from '../db/repositories/users';
import {
  anyoneWaitingFor,
  claimWaitlistEntry,
  listWaitlistCandidates,
  releaseWaitlistClaim,
  setWaitlistClaimBy,
  settleWaitlistOffer,
} from '../db/repositories/waitlist';
import { staticSummaryFor } from '../domain/booking-summary';
import {
  claimSeconds,
  intervalsLeft,
  offerOutcomeOf,
  rankCandidates,
  type SlotPlace,
  type WaitlistEntry,
} from '../domain/waitlist';
import { failureType, temporalBusy, updateAborted } from '../infra/temporal-errors';
import { ServerEvents, userChannel, type ServerToClientEvents } from '../realtime/events';
import { isActive, type BookingStatus } from '../shared/booking';
import {
  BOOKING_WORKFLOW_TYPE,
  FailureTypes,
  bookingWorkflowId,
  cancelUpdate,
  reserveUpdate,
  type BookingSnapshot,
  type BookingView,
  type BookingWorkflowInput,
} from '../shared/booking-messages';
import { searchAttributesForBooking } from '../shared/search-attributes';
import type { SlotToOffer } from '../shared/waitlist-messages';
import { tellWaitlist } from '../infra/waitlist-signal';
import { enqueueWantedWebhooks, waitlistOfferMessage } from '../webhooks/outbox';
import type { ActivityDeps } from './deps';

// How many waiters one freed slot is tried on before the rest wait for the next free.
const CANDIDATES_PER_SLOT = 20;
// The slot's previous workflow may still be closing when its free reaches us (the same wait as the API's).
const SLOT_CLOSING_RETRIES = 10;
// A refusal that means "not this waiter, not now": the next one is tried. A slot whose previous
// workflow is still closing is not one: it says nothing about the waiter, so the activity fails
// and retries with this waiter's claim kept, and a later waiter never overtakes an earlier one
// because the earlier one's attempt met a closing run.
const REFUSALS: readonly string[] = [
  FailureTypes.slotConflict,
  FailureTypes.policyViolation,
  FailureTypes.roomUnavailable,
];

/** An offer's booking id, the same for every attempt of one offer to one entry (a retried activity reserves the same booking). */
export function offerBookingId(offerKey: string, entryId: string): string {
  const h = createHash('sha256').update(`${offerKey}:${entryId}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createWaitlistMetrics(meter: MetricMeter) {
  const offers = meter.createCounter(
    'roombook_waitlist_offers_total',
    'offers',
    'Waitlist offers by outcome: offered when the hold is made, then claimed, expired or cancelled',
  );
  return {
    outcome(outcome: 'offered' | 'claimed' | 'expired' | 'cancelled'): void {
      offers.add(1, { outcome });
    },
  };
}
export type WaitlistMetrics = ReturnType<typeof createWaitlistMetrics>;

export function createWaitlistActivities(deps: ActivityDeps, metrics = createWaitlistMetrics(deps.meter)) {
  const { dataSource, config, temporal, logger } = deps;
  const rooms = new RoomRepository(dataSource);

  /** waitlist.offer to the waiter's own sockets; waits for Redis to take it, so a failure retries the activity. */
  async function publishOffer(entry: WaitlistEntry, bookingId: string): Promise<void> {
    const sent: Promise<number>[] = [];
    const publisher = {
      publish: (channel: string, message: Buffer | string) => {
        const done = deps.redis.publish(channel, message);
        sent.push(done);
        return done;
      },
    };
    new Emitter<ServerToClientEvents>(publisher).to(userChannel(entry.userId)).emit(ServerEvents.waitlistOffer, {
      eventId: `waitlist:${entry.id}#${bookingId}#offer`,
      version: 1,
      timestamp: new Date().toISOString(),
      entry,
    });
    await Promise.all(sent);
  }

  /** The offer's hold: a booking in the waiter's name, held for the room's claim window, through the slot's own workflow. */
  async function reserveOffer(input: BookingWorkflowInput): Promise<BookingView> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await temporal.workflow.executeUpdateWithStart(reserveUpdate, {
          args: [{ bookingId: input.bookingId, mode: 'hold', offered: true }],
          startWorkflowOperation: new WithStartWorkflowOperation(BOOKING_WORKFLOW_TYPE, {
            workflowId: bookingWorkflowId(input.roomId, input.start),
            taskQueue: config.temporal.taskQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            typedSearchAttributes: searchAttributesForBooking(input, 'requested'),
            staticSummary: staticSummaryFor(input),
          }),
        });
      } catch (err) {
        const closing = failureType(err) === FailureTypes.slotClosing || updateAborted(err) || temporalBusy(err);
        if (!closing || attempt >= SLOT_CLOSING_RETRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1) + Math.random() * 100));
      }
    }
  }

  async function offerTo(
    entry: WaitlistEntry,
    room: NonNullable<Awaited<ReturnType<RoomRepository['find']>>>,
    bookingId: string,
  ): Promise<WaitlistEntry | undefined> {
    if (!(await claimWaitlistEntry(dataSource, entry.id, { bookingId, roomId: room.id }))) return undefined;
    const waiter = await findUserContact(dataSource, entry.userId);
    if (!waiter) {
      await releaseWaitlistClaim(dataSource, entry.id, bookingId);
      return undefined;
    }
    const now = Date.now();
    const claimBy = new Date(now + claimSeconds(room.policy.waitlistClaimSeconds, entry.start, now) * 1000);
    let view: BookingView;
    try {
      view = await reserveOffer({
        bookingId,
        roomId: room.id,
        roomName: room.name,
        roomTimezone: room.timezone,
        organizerId: entry.userId,
        organizerLabel: `${waiter.displayName} <${waiter.email}>`,
        // The hold mail and every view of it say what it is: an offer to confirm before the deadline.
        title: `Waitlist offer: confirm by ${claimBy.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        attendees: [],
        start: entry.start,
        end: entry.end,
        policy: { ...room.policy, holdTtlSeconds: claimSeconds(room.policy.waitlistClaimSeconds, entry.start, now) },
        createdAt: new Date(now).toISOString(),
      });
    } catch (err) {
      const type = failureType(err);
      if (
        type === FailureTypes.slotConflict &&
        !(await findOverlapping(dataSource, room.id, entry.start, entry.end, bookingId))
      ) {
        // The booking it met was freed meanwhile (its free is on its way to us): try this waiter again, first.
        throw new Error(`waitlist offer to entry ${entry.id} met a booking that has since been freed; retrying`);
      }
      if (type && REFUSALS.includes(type)) {
        await releaseWaitlistClaim(dataSource, entry.id, bookingId);
        logger.info({ entryId: entry.id, roomId: room.id, refusal: type }, 'waitlist offer refused; next waiter');
        return undefined;
      }
      throw err;
    }
    if (view.status !== 'held' || !view.holdExpiresAt) {
      // A retry that finds the hold already confirmed (or gone): saveBooking settled the entry.
      return undefined;
    }
    // Enqueued before the claim deadline is written: until then a retry of this offer finds the
    // entry again and enqueues the same message (one webhook-id); after it, the entry is no
    // longer a candidate and a retry would never get here.
    await enqueueWantedWebhooks(deps, [
      waitlistOfferMessage({
        ...entry,
        status: 'offered',
        offer: { bookingId, roomId: room.id, claimBy: view.holdExpiresAt },
      }),
    ]);
    const offered = await setWaitlistClaimBy(dataSource, entry.id, bookingId, view.holdExpiresAt);
    if (!offered) {
      // The waiter left while the hold was being made: release it, which frees the slot for the next waiter.
      await temporal.workflow
        .getHandle(bookingWorkflowId(room.id, entry.start))
        .executeUpdate(cancelUpdate, { args: [{ by: entry.userId, reason: 'Left the waitlist' }] })
        .catch((err: unknown) => logger.info({ err, bookingId }, 'left-waitlist hold not cancelled'));
      return undefined;
    }
    metrics.outcome('offered');
    await publishOffer(offered, bookingId);
    return offered;
  }

  return {
    /**
     * Offers a freed interval of a room to its waiters, first come first served: the first one
     * whose interval is free gets a hold. Called only by the room's waitlist workflow, so one
     * room's offers never run at once; the hold is a booking, so the no-overlap constraint has
     * the last word whatever else raced.
     */
    async offerFreedSlot(input: SlotToOffer & { roomId: string; offerKey: string }): Promise<{ offered?: string }> {
      const room = await rooms.find(input.roomId);
      if (!room || room.status !== 'active') return {};
      const entries = await listWaitlistCandidates(dataSource, room, input.start, input.end);
      const ranked = rankCandidates(
        entries,
        room,
        input,
        Date.now(),
        (e) => e.offer?.bookingId === offerBookingId(input.offerKey, e.id),
      );
      const candidates = ranked.slice(0, CANDIDATES_PER_SLOT);
      if (candidates.length === 0) return {};
      // Who is free is judged once, from one read, for every candidate: a booking freed while this
      // round runs cannot let a later waiter overtake an earlier one whose check saw it still
      // there (its free signals another round, which offers it to the earlier waiter first).
      const at = (iso: string) => Date.parse(iso);
      const occupying = await listOccupying(
        dataSource,
        room.id,
        new Date(Math.min(...candidates.map((e) => at(e.start)))).toISOString(),
        new Date(Math.max(...candidates.map((e) => at(e.end)))).toISOString(),
      );
      for (const entry of candidates) {
        const bookingId = offerBookingId(input.offerKey, entry.id);
        // Taken by a booking other than this offer's own hold (a retried attempt): nothing to claim.
        const taken = occupying.some(
          (b) => b.id !== bookingId && at(b.start) < at(entry.end) && at(b.end) > at(entry.start),
        );
        if (taken) continue;
        const offered = await offerTo(entry, room, bookingId);
        if (offered) return { offered: offered.id };
      }
      return {};
    },
  };
}

/**
 * What a booking's change means for the waitlist, called by saveBooking once the row has it: an
 * offer's hold confirmed ends its entry as claimed; a booking that stopped occupying a future slot
 * ends its offer (expired, cancelled) and hands the interval to the room's waitlist workflow.
 * Repeatable: a retried saveBooking settles nothing twice and signals the same slot again, which
 * offers nothing new.
 */
export async function bookingChangedForWaitlist(
  deps: Pick<ActivityDeps, 'dataSource' | 'temporal' | 'config'>,
  metrics: WaitlistMetrics,
  s: BookingSnapshot,
  previousStatus: BookingStatus,
): Promise<void> {
  if (previousStatus === 'held' && isActive(s.status) && s.status !== 'held') {
    if (await settleWaitlistOffer(deps.dataSource, s.id, 'claimed')) metrics.outcome('claimed');
    return;
  }
  if (!isActive(previousStatus) || isActive(s.status)) return;
  const outcome = offerOutcomeOf(s.status);
  if (await settleWaitlistOffer(deps.dataSource, s.id, outcome)) metrics.outcome(outcome);
  await offerFreedInterval(deps, { roomId: s.roomId, start: s.start, end: s.end }, `booking ${s.id} ${s.status}`);
}

/**
 * A booking that stays active but moved (another time or room) or ended earlier: the part of its
 * old place it left is freed like a cancellation's. Repeatable like bookingChangedForWaitlist.
 */
export async function bookingMovedForWaitlist(
  deps: Pick<ActivityDeps, 'dataSource' | 'temporal' | 'config'>,
  s: BookingSnapshot,
  previous: SlotPlace,
): Promise<void> {
  for (const left of intervalsLeft(previous, { roomId: s.roomId, start: s.start, end: s.end }))
    await offerFreedInterval(deps, left, `booking ${s.id} moved`);
}

/** Hands the future part of a freed interval to its room's waitlist workflow, when anyone waits for it. */
async function offerFreedInterval(
  deps: Pick<ActivityDeps, 'dataSource' | 'temporal' | 'config'>,
  freed: SlotPlace,
  reason: string,
): Promise<void> {
  const freedFrom = Math.max(Date.parse(freed.start), Date.now());
  if (freedFrom >= Date.parse(freed.end)) return;
  const slot = { start: new Date(freedFrom).toISOString(), end: freed.end, reason };
  // Most frees have nobody waiting: they start no workflow.
  if (!(await anyoneWaitingFor(deps.dataSource, freed.roomId, slot.start, slot.end))) return;
  await tellWaitlist(deps.temporal, deps.config.temporal.taskQueue, freed.roomId, slot);
}

export type WaitlistActivities = ReturnType<typeof createWaitlistActivities>;
