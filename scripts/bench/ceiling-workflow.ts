import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** The ceiling's update: answers at once, touches nothing. */
export const pingUpdate = defineUpdate<string, [string]>('ping');

/**
 * The smallest workflow that answers an update-with-start like the booking workflow's `reserve`:
 * the update is handled in the first workflow task and the workflow completes. No activity, no
 * database, no HTTP: what is left is the Temporal server and the SDK.
 */
export async function ceilingWorkflow(): Promise<void> {
  let answered = false;
  setHandler(pingUpdate, (id) => {
    answered = true;
    return id;
  });
  await condition(() => answered);
}
