import type { ActivityDeps } from './deps';
import { createBookingMetrics } from './booking-metrics';
import { createBookingActivities } from './bookings';
import { createInsightsActivities } from './insights';
import { createImipActivities } from './imip';
import { createMailActivities } from './mail';
import { createOpsActivities } from './ops';
import { createSeriesActivities } from './series';
import { createSystemActivities } from './system';
import { createWaitlistActivities, createWaitlistMetrics } from './waitlist';
import { createWebhookActivities } from './webhooks';
import { createTicketActivities } from './tickets';
import { createOutageActivities } from './outages';

export type { ActivityDeps };

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  // One set of instruments for every activity that counts bookings.
  const metrics = createBookingMetrics(deps.meter);
  const waitlistMetrics = createWaitlistMetrics(deps.meter);
  return {
    ...createSystemActivities(deps),
    ...createBookingActivities(deps, metrics, waitlistMetrics),
    ...createMailActivities(deps),
    ...createSeriesActivities(deps, metrics),
    ...createOpsActivities(deps),
    ...createWaitlistActivities(deps, waitlistMetrics),
    ...createInsightsActivities(deps),
    ...createWebhookActivities(deps),
    ...createImipActivities(deps),
    ...createTicketActivities(deps),
    ...createOutageActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
