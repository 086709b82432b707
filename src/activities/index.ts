import type { ActivityDeps } from './deps';
import { createBookingActivities } from './bookings';
import { createMailActivities } from './mail';
import { createOpsActivities } from './ops';
import { createSeriesActivities } from './series';
import { createSystemActivities } from './system';

export type { ActivityDeps };

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSystemActivities(deps),
    ...createBookingActivities(deps),
    ...createMailActivities(deps),
    ...createSeriesActivities(deps),
    ...createOpsActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
