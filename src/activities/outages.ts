import { ApplicationFailure } from '@temporalio/activity';
import { findBooking, type BookingRow } from '../db/repositories/bookings';
import {
  claimDisplacedBookings,
  dropPendingRelocations,
  endOutageRow,
  findOutage,
  findOutageRow,
  findRelocationCandidates,
  outageEnd,
  recordRelocation,
  type OutageRow,
} from '../db/repositories/outages';
import { RoomRepository } from '../db/repositories/rooms';
import { findUserContact } from '../db/repositories/users';
import { noFittingRoomReason, peopleOf, rankRelocationTargets } from '../domain/relocation';
import { storedPolicy } from '../domain/room-policy';
import { invalidateRoomAvailability } from '../infra/availability-cache';
import { failureType } from '../infra/temporal-errors';
import { tellWaitlist } from '../infra/waitlist-signal';
import { publishRoomStatus } from '../realtime/publisher';
import { isActive } from '../shared/booking';
import { cancelUpdate, FailureTypes, rescheduleUpdate } from '../shared/booking-messages';
import type { OutageView, RelocationInput, RelocationResult } from '../shared/outage-messages';
import type { ActivityDeps } from './deps';

/** `roombook_relocations_total{outcome}` on the worker's metrics endpoint, like the booking metrics. */
export function createRelocationMetrics(meter: ActivityDeps['meter']) {
  const relocations = meter.createCounter(
    'roombook_relocations_total',
    'bookings',
    'Bookings displaced by a room outage, by outcome: moved to another room or cancelled (nothing fitted)',
  );
  return {
    outcome(outcome: RelocationResult['outcome']): void {
      relocations.add(1, { outcome });
    },
  };
}

// The answers of a booking's workflow that mean "not this room": try the next candidate.
const TAKEN = [FailureTypes.slotConflict, FailureTypes.roomUnavailable, FailureTypes.slotClosing] as string[];

export function createOutageActivities(deps: ActivityDeps, metrics = createRelocationMetrics(deps.meter)) {
  const { dataSource: db, temporal, config } = deps;
  const rooms = new RoomRepository(db);

  /** What became of a booking that already left the outage's room or stopped occupying it. */
  function settled(outage: OutageRow, row: BookingRow | undefined): RelocationResult | undefined {
    if (!row) return { bookingId: '', outcome: 'cancelled', reason: 'the booking no longer exists' };
    if (row.roomId !== outage.room_id) return { bookingId: row.id, outcome: 'moved', toRoomId: row.roomId };
    if (!isActive(row.status) || row.status === 'checked_in')
      return {
        bookingId: row.id,
        outcome: 'cancelled',
        reason: row.statusReason ?? `${row.status.replace('_', ' ')} before it could be relocated`,
      };
    return undefined;
  }

  async function relocate(outage: OutageRow, row: BookingRow): Promise<RelocationResult> {
    const from = await rooms.find(outage.room_id);
    const organizer = await findUserContact(db, row.organizerId);
    const people = peopleOf(organizer?.email, row.attendees);
    const need = { building: from?.building ?? '', amenities: from?.amenities ?? [], people };
    const ranked = rankRelocationTargets(
      need,
      await findRelocationCandidates(db, {
        excludeRoomId: outage.room_id,
        start: row.start,
        end: row.end,
        people,
        bookingId: row.id,
      }),
    );
    const booking = () => temporal.workflow.getHandle(row.workflowId);
    for (const target of ranked) {
      try {
        // The booking core's own move: its workflow takes the new room, sends the updated invites
        // and announces both rooms.
        await booking().executeUpdate(rescheduleUpdate, {
          args: [
            {
              start: row.start,
              end: row.end,
              room: {
                roomId: target.id,
                roomName: target.name,
                roomTimezone: target.timezone,
                policy: storedPolicy(target.policy),
              },
            },
          ],
        });
        return { bookingId: row.id, outcome: 'moved', toRoomId: target.id };
      } catch (err) {
        if (TAKEN.includes(failureType(err) ?? '')) continue;
        throw err;
      }
    }
    const reason = noFittingRoomReason(
      { name: from?.name ?? 'the room', building: from?.building ?? '' },
      outage.reason,
      people,
    );
    await booking().executeUpdate(cancelUpdate, { args: [{ by: `outage:${outage.id}`, reason }] });
    return { bookingId: row.id, outcome: 'cancelled', reason };
  }

  return {
    /** Records every active booking the outage displaces as a pending relocation; answers those still pending. */
    async claimDisplacedBookings(input: { outageId: string }): Promise<string[]> {
      return claimDisplacedBookings(db, input.outageId);
    },

    /**
     * Moves one displaced booking to the best free room that takes it (the domain's ranking; the
     * no-overlap constraint decides between racing moves: a taken room means the next one), or,
     * when none does, cancels it with a reason. Idempotent: a retry first reads where the booking
     * is now, so a move that happened is recorded, not made twice.
     */
    async relocateBooking(input: RelocationInput): Promise<RelocationResult> {
      const outage = await findOutageRow(db, input.outageId);
      if (!outage) throw ApplicationFailure.nonRetryable(`Outage ${input.outageId} is gone`, 'OutageGone');
      let row = await findBooking(db, input.bookingId);
      let result = settled(outage, row);
      if (!result && row) {
        try {
          result = await relocate(outage, row);
        } catch (err) {
          // The booking changed under us (cancelled, checked in, moved by its organizer): record what it became.
          if (failureType(err) !== FailureTypes.invalidState) throw err;
          row = await findBooking(db, input.bookingId);
          result = settled(outage, row);
          if (!result) throw err;
        }
      }
      result = { ...result!, bookingId: input.bookingId };
      await recordRelocation(db, { outageId: input.outageId, ...result });
      metrics.outcome(result.outcome);
      return result;
    },

    /** The room's displays and cached availability learn that the outage began. */
    async announceOutage(input: { roomId: string }): Promise<void> {
      await invalidateRoomAvailability(deps.redis, input.roomId);
      await publishRoomStatus(deps, input.roomId);
    },

    /**
     * Ends the outage (at `at`, never before its start), tells the room's displays, and offers the
     * interval it gave back to the room's waitlist.
     */
    async closeOutage(input: { outageId: string; at: string }): Promise<OutageView> {
      const ended = await endOutageRow(db, input.outageId, new Date(input.at));
      if (!ended) throw ApplicationFailure.nonRetryable(`Outage ${input.outageId} is gone`, 'OutageGone');
      await dropPendingRelocations(db, ended.id);
      await invalidateRoomAvailability(deps.redis, ended.room_id);
      await publishRoomStatus(deps, ended.room_id);
      const room = await rooms.find(ended.room_id);
      const now = Date.now();
      const freedFrom = Math.max(ended.starts_at.getTime(), now);
      // An open-ended outage gave back everything up to the room's horizon.
      const planned = ended.ends_at ?? new Date(now + (room?.policy.horizonDays ?? 30) * 86_400_000);
      const end = outageEnd({ ends_at: planned, ended_at: null })!;
      if (end.getTime() > freedFrom)
        await tellWaitlist(temporal, config.temporal.taskQueue, ended.room_id, {
          start: new Date(freedFrom).toISOString(),
          end: end.toISOString(),
          reason: `outage ${ended.id} ended`,
        });
      return (await findOutage(db, input.outageId))!;
    },
  };
}

export type OutageActivities = ReturnType<typeof createOutageActivities>;
