// The workflow bundle's entry: every workflow type the worker registers.
export { systemCheckWorkflow } from './system-check';
export { bookingWorkflow } from './booking';
export { bookingFollowUpWorkflow } from './booking-followup';
export { seriesWorkflow } from './series';
export { retentionWorkflow } from './retention';
export { reconcileWorkflow } from './reconcile';
export { ticketWorkflow } from './ticket';
