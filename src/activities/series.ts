import { ApplicationFailure, Context } from '@temporalio/activity';
import { roomUnavailableHit } from '../db/repositories/outages';
import {
  releaseBookingWithoutWorkflow,
  bookingExists,
  countOrganizerBookings,
  findOverlapping,
  insertBooking,
  isExclusionViolation,
  lockOrganizerBookings,
} from '../db/repositories/bookings';
import { inSavepoint } from '../db/queryable';
import {
  insertSeries,
  listCancellableSeriesBookings,
  markOccurrencesCancelled,
  moveOccurrence,
  updateSeriesState,
  upsertOccurrence,
} from '../db/repositories/series';
import { invalidateRoomAvailability } from '../infra/availability-cache';
import { failureType, workflowGone } from '../infra/temporal-errors';
import { checkInFields, initialStatus, occupiedUntil } from '../shared/booking-lifecycle';
import { FailureTypes, bookingWorkflowId, cancelUpdate, type SlotConflictDetails } from '../shared/booking-messages';
import {
  SeriesFailureTypes,
  type OccurrenceResult,
  type OnConflict,
  type SeriesChangeScope,
  type SeriesDefinition,
  type SeriesOccurrence,
} from '../shared/series-messages';
import type { BookingStatus } from '../shared/booking';
import { createBookingMetrics, type BookingMetrics } from './booking-metrics';
import { staticSummaryFor } from '../domain/booking-summary';
import type { ActivityDeps } from './deps';

export interface ReserveSeriesInput {
  series: SeriesDefinition;
  /** The first call also writes the series row and checks the occurrences beyond the horizon. */
  create: boolean;
  /** Occurrences within the horizon: each gets its booking row now. */
  book: (SeriesOccurrence & { bookingId: string })[];
  /** Occurrences beyond the horizon: checked for conflicts, booked later by the series workflow. */
  check: SeriesOccurrence[];
  onConflict: OnConflict;
}

export interface ReservedOccurrence extends OccurrenceResult {
  /** For the child workflow's staticSummary (Intl formatting stays out of the workflow sandbox). */
  summary?: string;
}

export interface CancelSeriesInput {
  seriesId: string;
  scope: SeriesChangeScope;
  occurrenceStart?: string;
  reason: string;
  /** Occurrences the series dropped before booking them. */
  dropped: string[];
}

const iso = (t: number | string | Date) => new Date(t).toISOString();

export function createSeriesActivities(deps: ActivityDeps, metrics: BookingMetrics = createBookingMetrics(deps.meter)) {
  const { dataSource, config } = deps;

  return {
    /**
     * Books a batch of occurrences in ONE transaction, each under its own SAVEPOINT so that every
     * conflict is found and reported, not just the first. onConflict "fail": any conflict (or an
     * occurrence beyond the horizon that already overlaps a booking) rolls everything back and the
     * failure lists them all. "skip": the conflicting ones are left out and reported. Idempotent:
     * booking ids come from the workflow, and a retried attempt finds its rows.
     */
    async reserveSeriesOccurrences(input: ReserveSeriesInput): Promise<ReservedOccurrence[]> {
      const { series } = input;
      const { policy } = series;
      const results: ReservedOccurrence[] = [];
      const created: BookingStatus[] = [];
      const limit = config.bookingLimits.maxFutureBookingsPerUser;
      await dataSource.transaction(async (tx) => {
        await lockOrganizerBookings(tx, series.organizerId);
        if (input.create) {
          await insertSeries(tx, series);
          const counts = await countOrganizerBookings(tx, series.organizerId, series.seriesId);
          if (counts.future + input.book.length > limit) {
            throw ApplicationFailure.create({
              type: FailureTypes.policyViolation,
              message: `This series would give you ${counts.future + input.book.length} upcoming bookings (the limit is ${limit}).`,
              details: [{ rule: 'maxFutureBookingsPerUser', limit }],
              nonRetryable: true,
            });
          }
        }
        // Later batches (the horizon moving on) count against the cap one occurrence at a time,
        // under the same advisory lock as every other create of this organizer.
        let future: number | undefined;
        if (!input.create) {
          future = (await countOrganizerBookings(tx, series.organizerId)).future;
        }
        const now = Date.now();
        for (const o of input.book) {
          const status = initialStatus('book', policy);
          const base = { occurrenceStart: o.occurrenceStart, start: o.start, end: o.end };
          const existing = await bookingExists(tx, o.bookingId);
          if (existing) {
            results.push({
              ...base,
              outcome: 'booked',
              bookingId: o.bookingId,
              status: existing.status,
              version: existing.version,
            });
            continue;
          }
          if (Date.parse(o.start) <= now) {
            results.push({ ...base, outcome: 'missed' });
            continue;
          }
          if (future !== undefined && future >= limit) {
            results.push({
              ...base,
              outcome: 'refused',
              refusal: {
                rule: 'maxFutureBookingsPerUser',
                limit,
                message: `The organizer already has ${future} upcoming bookings (the limit is ${limit}).`,
              },
            });
            continue;
          }
          const until = occupiedUntil(policy, o.end);
          const title = o.title ?? series.title;
          try {
            // A conflicting occurrence is undone alone: the others of the batch stay written.
            await inSavepoint(tx, () =>
              insertBooking(tx, {
                id: o.bookingId,
                roomId: series.roomId,
                organizerId: series.organizerId,
                seriesId: series.seriesId,
                occurrenceStart: o.occurrenceStart,
                title,
                attendees: o.attendees ?? series.attendees,
                start: o.start,
                end: o.end,
                occupiedUntil: until,
                status,
                ...checkInFields(policy, o.start, o.end),
                workflowId: bookingWorkflowId(series.roomId, o.start),
                version: 1,
                sequence: 0,
                createdAt: iso(now),
                updatedAt: iso(now),
                source: series.source ?? 'api',
                ...(series.icalUid ? { icalUid: series.icalUid } : {}),
              }),
            );
          } catch (err) {
            // An outage covering the occurrence is in the way as a booking would be (skip or fail).
            const outage = roomUnavailableHit(err);
            if (!outage && !isExclusionViolation(err)) throw err;
            results.push({
              ...base,
              outcome: 'conflict',
              conflict: outage
                ? { outageId: outage.outageId, start: outage.from, end: outage.until ?? o.end }
                : await conflictWith(tx, series.roomId, o.start, until),
            });
            continue;
          }
          created.push(status);
          if (future !== undefined) future += 1;
          results.push({
            ...base,
            outcome: 'booked',
            bookingId: o.bookingId,
            status,
            version: 1,
            ...(status === 'pending_approval'
              ? { approvalDeadline: iso(now + policy.approvalTimeoutSeconds * 1000) }
              : {}),
            summary: staticSummaryFor({ ...series, title, start: o.start, end: o.end }),
          });
        }
        for (const o of input.check) {
          const hit = await findOverlapping(tx, series.roomId, o.start, occupiedUntil(policy, o.end));
          const base = { occurrenceStart: o.occurrenceStart, start: o.start, end: o.end };
          results.push(
            hit
              ? {
                  ...base,
                  outcome: 'conflict',
                  conflict: { conflictingBookingId: hit.id, start: hit.start, end: hit.end },
                }
              : { ...base, outcome: 'scheduled' },
          );
        }
        const conflicts = results.filter((r) => r.outcome === 'conflict');
        if (input.onConflict === 'fail' && conflicts.length) {
          // Thrown inside the transaction: every row written above is rolled back.
          throw ApplicationFailure.create({
            type: SeriesFailureTypes.seriesConflict,
            message: `${conflicts.length} occurrence${conflicts.length === 1 ? '' : 's'} of the series conflict with existing bookings; nothing was booked.`,
            details: [
              {
                conflicts: conflicts.map(({ occurrenceStart, start, end, conflict }) => ({
                  occurrenceStart,
                  start,
                  end,
                  conflict,
                })),
              },
            ],
            nonRetryable: true,
          });
        }
        for (const r of results) {
          await upsertOccurrence(tx, series.seriesId, r);
        }
      });
      created.forEach((status) => metrics.created(status));
      if (results.some((r) => r.outcome === 'booked')) await invalidateRoomAvailability(deps.redis, series.roomId);
      return results;
    },

    /**
     * Cancels the series' bookings in scope through their own workflows (each writes its row,
     * tells its people, frees its slot) and marks the occurrences the series dropped before booking.
     * Bookings that can no longer be cancelled (checked in, over) are left as they are.
     */
    async cancelSeriesOccurrences(input: CancelSeriesInput): Promise<{ cancelled: string[] }> {
      if (input.dropped.length) {
        await markOccurrencesCancelled(dataSource, input.seriesId, input.dropped);
      }
      const rows = await listCancellableSeriesBookings(dataSource, input.seriesId, input.scope, input.occurrenceStart);
      const cancelled: string[] = [];
      for (const row of rows) {
        Context.current().heartbeat(row.id);
        try {
          await deps.temporal.workflow
            .getHandle(row.workflow_id)
            .executeUpdate(cancelUpdate, { args: [{ by: 'series', reason: input.reason }] });
          cancelled.push(row.id);
        } catch (err) {
          // Closed or no longer cancellable (checked in meanwhile): nothing to do for this one.
          if (notCancellable(err)) continue;
          throw err;
        }
      }
      return { cancelled };
    },

    /** An occurrence whose workflow could not start gives up its slot: no active row without a workflow. */
    async releaseUnstartedOccurrence(input: { bookingId: string; reason: string }): Promise<void> {
      const roomId = await releaseBookingWithoutWorkflow(dataSource, input.bookingId, input.reason);
      if (roomId) await invalidateRoomAvailability(deps.redis, roomId);
    },

    /** The series row as the workflow sees it: status, reason, strikes, a not-yet-booked occurrence's new slot. */
    async recordSeries(input: {
      seriesId: string;
      status?: 'active' | 'ended' | 'cancelled';
      statusReason?: string;
      consecutiveReleases?: number;
      occurrence?: { occurrenceStart: string; start: string; end: string };
    }): Promise<void> {
      await updateSeriesState(dataSource, input.seriesId, input);
      if (input.occurrence) await moveOccurrence(dataSource, input.seriesId, input.occurrence);
    },
  };
}

/** Closed (a completed workflow answers NOT_FOUND), or refused by its state (checked in meanwhile). */
function notCancellable(err: unknown): boolean {
  return workflowGone(err) || failureType(err) === FailureTypes.invalidState;
}

async function conflictWith(
  tx: Parameters<typeof findOverlapping>[0],
  roomId: string,
  start: string,
  occupiedUntil: string,
): Promise<SlotConflictDetails> {
  const hit = await findOverlapping(tx, roomId, start, occupiedUntil);
  return hit ? { conflictingBookingId: hit.id, start: hit.start, end: hit.end } : { start, end: occupiedUntil };
}

export type SeriesActivities = ReturnType<typeof createSeriesActivities>;
