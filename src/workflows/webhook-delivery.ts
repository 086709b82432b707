import {
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import {
  enqueueWebhookSignal,
  type WebhookDeliveryRef,
  type WebhookDeliveryWorkflowInput,
} from '../shared/webhook-messages';

/** How long an idle delivery workflow waits for the next message of its key before it closes. */
const IDLE = '5 minutes';
/** Continue-as-new after this many deliveries: the history stays small however busy a booking is. */
const DELIVERIES_PER_RUN = 200;

const bookkeeping = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Delivers one endpoint's messages for one order key (a booking, a room) one at a time, in the
 * order they were enqueued: a message waits until the one before it was delivered or given up.
 * Each delivery is an activity retried with exponential backoff for the configured period; when
 * that runs out the delivery is marked failed and its endpoint disabled (its owner is mailed).
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryWorkflowInput): Promise<void> {
  const queue: WebhookDeliveryRef[] = [...(input.queue ?? [])];
  const seen = new Set<string>(input.seen ?? queue.map(refKey));
  setHandler(enqueueWebhookSignal, (ref) => {
    // The enqueue is retried at least once by Temporal: the same ref twice is one delivery.
    if (seen.has(refKey(ref))) return;
    seen.add(refKey(ref));
    queue.push(ref);
  });

  const { retry } = input;
  const send = proxyActivities<WebhookActivities>({
    startToCloseTimeout: `${retry.timeoutSeconds + 5} seconds`,
    scheduleToCloseTimeout: `${retry.retrySeconds} seconds`,
    retry: {
      initialInterval: `${retry.initialIntervalSeconds} seconds`,
      backoffCoefficient: 2,
      maximumInterval: `${retry.maxIntervalSeconds} seconds`,
      nonRetryableErrorTypes: ['WebhookTargetRefused'],
    },
  });

  let delivered = 0;
  for (;;) {
    // Signals of an activation are handled before its timer: a message that came with the idle
    // timeout is still in the queue here.
    if (queue.length === 0 && !(await condition(() => queue.length > 0, IDLE)) && queue.length === 0) return;
    // Two announcements of one booking may be enqueued out of order (a fast attempt that failed is
    // retried in the background): of what is waiting, the lowest booking version goes first.
    const next = queue.reduce((best, ref, i) => ((ref.sequence ?? 0) < (queue[best].sequence ?? 0) ? i : best), 0);
    const [ref] = queue.splice(next, 1);
    try {
      await send.deliverWebhook(ref);
    } catch (err) {
      await bookkeeping.giveUpWebhookDelivery({ ...ref, reason: reasonOf(err) });
    }
    delivered += 1;
    if (delivered >= DELIVERIES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      // Only what is still to do and the refs it may see again travel on.
      await continueAsNew<typeof webhookDeliveryWorkflow>({ ...input, queue, seen: [...seen].slice(-1000) });
    }
  }
}

function refKey(ref: WebhookDeliveryRef): string {
  return `${ref.deliveryId}#${ref.round}`;
}

function reasonOf(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message.slice(0, 500);
  return 'delivery failed';
}
