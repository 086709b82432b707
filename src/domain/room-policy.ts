import { DEFAULT_ROOM_POLICY, type RoomPolicy } from '../shared/booking';

export const SECONDS_PER_DAY = 86_400;

export interface FieldProblem {
  field: string;
  message: string;
}

/** Rules across fields, checked on a whole (merged) policy; single-field ranges live in the request schema. */
export function policyProblems(policy: RoomPolicy): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (SECONDS_PER_DAY % policy.slotGranularitySeconds !== 0) {
    problems.push({ field: 'policy.slotGranularitySeconds', message: 'must divide a day (86400 seconds) evenly' });
  }
  if (policy.maxDurationSeconds < policy.slotGranularitySeconds) {
    problems.push({ field: 'policy.maxDurationSeconds', message: 'must be at least slotGranularitySeconds' });
  }
  return problems;
}

/** A partial policy over a base: the defaults for a new room, the current policy for an update. */
export function mergePolicy(
  patch: Partial<RoomPolicy> | undefined,
  base: RoomPolicy = DEFAULT_ROOM_POLICY,
): RoomPolicy {
  return { ...DEFAULT_ROOM_POLICY, ...base, ...patch };
}

/**
 * A policy as stored on a room row: fields missing from older rows take today's defaults, so a
 * new policy field never breaks rooms created before it.
 */
export function storedPolicy(raw: unknown): RoomPolicy {
  return { ...DEFAULT_ROOM_POLICY, ...(raw as Partial<RoomPolicy>) };
}
