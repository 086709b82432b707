import type { ActivityDeps } from './deps';
import { createBookingMetrics } from './booking-metrics';
import { createBookingActivities } from './bookings';
import { createMailActivities } from './mail';
import { createOpsActivities } from './ops';
import { createSeriesActivities } from './series';
import { createSystemActivities } from './system';
import { createTicketActivities } from './tickets';

export type { ActivityDeps };

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  // One set of instruments for every activity that counts bookings.
  const metrics = createBookingMetrics(deps.meter);
  return {
    ...createSystemActivities(deps),
    ...createBookingActivities(deps, metrics),
    ...createMailActivities(deps),
    ...createSeriesActivities(deps, metrics),
    ...createOpsActivities(deps),
    ...createTicketActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
