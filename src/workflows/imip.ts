import { proxyActivities } from '@temporalio/workflow';
import type { ImipActivities } from '../activities/imip';
import type { InviteOutcome, InviteWorkflowInput } from '../shared/imip-messages';

const booking = proxyActivities<ImipActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const mail = proxyActivities<ImipActivities>({
  startToCloseTimeout: '1 minute',
  // SMTP may be down for a while: the reply waits for it.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * One inbound invite (keyed by room, UID, SEQUENCE and method): apply it through the booking
 * services, then answer the organizer from the room's mailbox. Durable: a worker restart resumes
 * where it was; a redelivered message finds this workflow's id taken and starts nothing.
 */
export async function roomInviteWorkflow(input: InviteWorkflowInput): Promise<InviteOutcome> {
  const outcome = await booking.applyRoomInvite(input);
  if (outcome.reply) await mail.sendRoomReply({ input, reply: outcome.reply });
  return outcome;
}
