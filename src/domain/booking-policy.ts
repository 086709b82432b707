import type { RoomPolicy, RoomStatus } from '../shared/booking';
import { ceilToGrid } from './availability';
import { AppError, policyViolation } from './errors';

export interface PolicyRoom {
  status: RoomStatus;
  timezone: string;
  policy: RoomPolicy;
}

const onGrid = (t: number, room: PolicyRoom) => ceilToGrid(t, room.timezone, room.policy.slotGranularitySeconds) === t;

/**
 * The room's rules for a new slot (create or reschedule), checked before any workflow starts.
 * Each refusal is a 422 POLICY_VIOLATION naming the rule, or 409 ROOM_OUT_OF_SERVICE.
 */
export function assertSlotAllowed(room: PolicyRoom, start: number, end: number, now: number): void {
  const { policy } = room;
  if (room.status !== 'active')
    throw new AppError(409, 'ROOM_OUT_OF_SERVICE', 'The room is out of service and cannot be booked.');
  if (end <= start) {
    throw new AppError(400, 'VALIDATION_FAILED', 'Invalid request body: end: must be after start', {
      fields: [{ in: 'body', field: 'end', message: 'must be after start' }],
    });
  }
  if (start < now) throw policyViolation('The start is in the past.', { rule: 'startInPast' });
  if (!onGrid(start, room) || !onGrid(end, room)) {
    throw policyViolation(
      `Start and end must fall on the room's ${policy.slotGranularitySeconds}-second slot grid (local time in ${room.timezone}).`,
      {
        rule: 'slotGranularitySeconds',
        slotGranularitySeconds: policy.slotGranularitySeconds,
      },
    );
  }
  if (start - now < policy.minNoticeSeconds * 1000) {
    throw policyViolation(`Bookings need ${policy.minNoticeSeconds} seconds' notice.`, {
      rule: 'minNoticeSeconds',
      minNoticeSeconds: policy.minNoticeSeconds,
    });
  }
  assertDurationAllowed(room, start, end);
  if (start > now + policy.horizonDays * 86_400_000) {
    throw policyViolation(`The room takes bookings at most ${policy.horizonDays} days ahead.`, {
      rule: 'horizonDays',
      horizonDays: policy.horizonDays,
    });
  }
}

/** For a longer end (extend): the grid and the maximum duration. */
export function assertEndAllowed(room: PolicyRoom, start: number, end: number): void {
  if (!onGrid(end, room)) {
    throw policyViolation(`The end must fall on the room's ${room.policy.slotGranularitySeconds}-second slot grid.`, {
      rule: 'slotGranularitySeconds',
    });
  }
  assertDurationAllowed(room, start, end);
}

function assertDurationAllowed(room: PolicyRoom, start: number, end: number): void {
  const max = room.policy.maxDurationSeconds;
  if ((end - start) / 1000 > max)
    throw policyViolation(`A booking may last at most ${max} seconds.`, {
      rule: 'maxDurationSeconds',
      maxDurationSeconds: max,
    });
}
