// The workflow bundle's entry: every workflow type the worker registers.
export { systemCheckWorkflow } from './system-check';
export { bookingWorkflow } from './booking';
export { bookingFollowUpWorkflow } from './booking-followup';
export { seriesWorkflow } from './series';
export { retentionWorkflow } from './retention';
export { reconcileWorkflow } from './reconcile';
export { waitlistRoomWorkflow } from './waitlist';
export { weeklyInsightsWorkflow } from './weekly-insights';
export { webhookDeliveryWorkflow } from './webhook-delivery';
export { roomInviteWorkflow } from './imip';
export { ticketWorkflow } from './ticket';
export { outageWorkflow, relocationWorkflow } from './outage';
