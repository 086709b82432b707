import { ApplicationFailure, Context } from '@temporalio/activity';
import { enqueueBookingEventWebhooks } from '../webhooks/outbox';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { EntityManager } from 'typeorm';
import {
  findOverlapping,
  isExclusionViolation,
  reserveBookingRow,
  saveBookingSnapshot,
  type ReservationVerdict,
} from '../db/repositories/bookings';
import { recordBookingNotification } from '../db/repositories/notifications';
import { roomUnavailableHit } from '../db/repositories/outages';
import { searchAttributesForBooking } from '../shared/search-attributes';
import { invalidateRoomAvailability } from '../infra/availability-cache';
import { BookingIdKey } from '../shared/search-attributes';
import type { BookingStatus } from '../shared/booking';
import {
  BOOKING_WORKFLOW_TYPE,
  FailureTypes,
  bookingWorkflowId,
  type BookingEvent,
  type BookingSnapshot,
  type BookingWorkflowInput,
  type RoomUnavailableDetails,
  type SlotConflictDetails,
} from '../shared/booking-messages';
import { createBookingMetrics, type BookingMetrics } from './booking-metrics';
import {
  bookingChangedForWaitlist,
  bookingMovedForWaitlist,
  createWaitlistMetrics,
  type WaitlistMetrics,
} from './waitlist';
import type { SlotPlace } from '../domain/waitlist';
import { isActive } from '../shared/booking';
import type { ActivityDeps } from './deps';
import { staticSummaryFor } from '../domain/booking-summary';

export type { BookingSnapshot };

export interface SaveBookingInput {
  snapshot: BookingSnapshot;
  previousStatus: BookingStatus;
  /** Where the booking was before this write: a move or a shorter end frees what it leaves. */
  previousSlot?: SlotPlace;
}

export function createBookingActivities(
  deps: ActivityDeps,
  metrics: BookingMetrics = createBookingMetrics(deps.meter),
  waitlistMetrics: WaitlistMetrics = createWaitlistMetrics(deps.meter),
) {
  const { dataSource, config } = deps;

  async function conflictFailure(db: EntityManager, s: BookingSnapshot): Promise<ApplicationFailure> {
    const hit = await findOverlapping(db, s.roomId, s.start, s.occupiedUntil, s.id);
    const details: SlotConflictDetails = hit
      ? { conflictingBookingId: hit.id, start: hit.start, end: hit.end }
      : { start: s.start, end: s.occupiedUntil };
    metrics.conflict();
    return ApplicationFailure.create({
      type: FailureTypes.slotConflict,
      message: `The room is already booked from ${details.start} to ${details.end}.`,
      details: [details],
      nonRetryable: true,
    });
  }

  /** The bookings guard refused the row: an outage covers its interval. Undefined for any other error. */
  function roomUnavailableFailure(err: unknown): ApplicationFailure | undefined {
    const hit = roomUnavailableHit(err);
    if (!hit) return undefined;
    const details: RoomUnavailableDetails = {
      outageId: hit.outageId,
      from: hit.from,
      ...(hit.until ? { until: hit.until } : {}),
      reason: hit.reason,
    };
    return ApplicationFailure.create({
      type: FailureTypes.roomUnavailable,
      message: `The room is out of service from ${hit.from} ${hit.until ? `until ${hit.until}` : 'until further notice'} (${hit.reason}).`,
      details: [details],
      nonRetryable: true,
    });
  }

  return {
    /**
     * Inserts the booking unless the slot is taken (exclusion constraint) or the organizer is over
     * the caps on active holds and future bookings (OWASP API6). One statement, so one round trip:
     * the database counts the organizer's rows under their lock, so concurrent creates cannot both
     * slip under a cap, and a retried attempt finds the first attempt's row and inserts nothing.
     */
    async reserveSlot(snapshot: BookingSnapshot): Promise<{ runId: string }> {
      const runId = Context.current().info.workflowExecution?.runId ?? '';
      const s = { ...snapshot, runId };
      const limits = config.bookingLimits;
      let verdict: ReservationVerdict;
      try {
        verdict = await reserveBookingRow(dataSource, s, limits);
      } catch (err) {
        if (isExclusionViolation(err)) throw await conflictFailure(dataSource.manager, s);
        throw roomUnavailableFailure(err) ?? err;
      }
      if (verdict.verdict === 'holds') {
        throw ApplicationFailure.create({
          type: FailureTypes.policyViolation,
          message: `You already have ${verdict.count} active holds (the limit is ${limits.maxActiveHoldsPerUser}): confirm or release one first.`,
          details: [{ rule: 'maxActiveHoldsPerUser', limit: limits.maxActiveHoldsPerUser }],
          nonRetryable: true,
        });
      }
      if (verdict.verdict === 'future') {
        throw ApplicationFailure.create({
          type: FailureTypes.policyViolation,
          message: `You already have ${verdict.count} upcoming bookings (the limit is ${limits.maxFutureBookingsPerUser}).`,
          details: [{ rule: 'maxFutureBookingsPerUser', limit: limits.maxFutureBookingsPerUser }],
          nonRetryable: true,
        });
      }
      if (verdict.verdict === 'ok') metrics.created(s.status);
      // Before the caller hears of it: no cached availability may still show this slot free.
      await invalidateRoomAvailability(deps.redis, s.roomId);
      return { runId };
    },

    /**
     * Writes the workflow's snapshot if it is newer than the row: a repeated write changes nothing
     * and a late, stale one never overwrites a newer state. A changed time that overlaps another
     * booking fails with SlotConflict and changes nothing.
     */
    async saveBooking({ snapshot: s, previousStatus, previousSlot }: SaveBookingInput): Promise<{ applied: boolean }> {
      let applied = false;
      try {
        applied = await saveBookingSnapshot(dataSource, s);
      } catch (err) {
        if (isExclusionViolation(err)) throw await conflictFailure(dataSource.manager, s);
        throw roomUnavailableFailure(err) ?? err;
      }
      if (applied) {
        await invalidateRoomAvailability(deps.redis, s.roomId);
        if (s.status !== previousStatus) metrics.transition(s, previousStatus);
      }
      // Also when not applied: a retry after the row was written must still reach the waitlist.
      if (s.status !== previousStatus) await bookingChangedForWaitlist(deps, waitlistMetrics, s, previousStatus);
      else if (previousSlot && isActive(s.status)) await bookingMovedForWaitlist(deps, s, previousSlot);
      return { applied };
    },

    /**
     * Records the event once per booking, kind and version (the delivery log operators read),
     * then hands it to the realtime relay. Fast and retried: displays must hear of it at once.
     */
    async announce(event: BookingEvent): Promise<void> {
      await recordBookingNotification(dataSource, {
        bookingId: event.booking.id,
        kind: event.kind,
        version: event.booking.version,
      });
      await deps.publishBookingEvent?.(event);
      // The webhooks' outbox, from the one place every booking event passes; after the relay, so
      // displays hear first. A failure here retries the whole announcement (clients drop repeats by eventId).
      await enqueueBookingEventWebhooks(deps, event);
    },

    /** A reschedule to another start: the booking goes on in the workflow keyed by its new slot. */
    async startMovedBooking(input: BookingWorkflowInput): Promise<{ workflowId: string }> {
      const workflowId = bookingWorkflowId(input.roomId, input.start);
      try {
        await deps.temporal.workflow.start(BOOKING_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: config.temporal.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          typedSearchAttributes: searchAttributesForBooking(input, input.carried?.status ?? 'confirmed'),
          staticSummary: staticSummaryFor(input),
        });
      } catch (err) {
        // A retry after the first attempt started it: that run is ours if it carries this booking.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const described = await deps.temporal.workflow.getHandle(workflowId).describe();
        const bookingId = described.typedSearchAttributes.get(BookingIdKey);
        if (bookingId !== input.bookingId) throw err;
      }
      return { workflowId };
    },
  };
}

export type BookingActivities = ReturnType<typeof createBookingActivities>;
