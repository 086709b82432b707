import { condition, setCurrentDetails, setHandler } from '@temporalio/workflow';
import { assertNever, nextReviewDeadline, reviewWindow, type ReviewLifecycle } from '../shared/booking-lifecycle';
import {
  followUpStateQuery,
  reviewSubmittedSignal,
  type FollowUpInput,
  type FollowUpState,
} from '../shared/booking-messages';
import { Deliveries } from './booking-delivery';

const now = () => new Date().getTime();

/**
 * What is left of a booking once it no longer occupies its slot, keyed by the booking
 * (`booking-followup:<bookingId>`): the messages its slot's workflow had not delivered (mail
 * retried for as long as SMTP is down), and for a completed booking the review prompt, at most
 * one reminder (not to those who already reviewed) and the window's close.
 */
export async function bookingFollowUpWorkflow(input: FollowUpInput): Promise<{ bookingId: string; result: 'done' }> {
  const { booking, policy } = input;
  const deliveries = new Deliveries();
  const reviewers = new Set<string>();
  const participants = [booking.organizerId, ...booking.attendees.map((a) => a.toLowerCase())];
  const review: ReviewLifecycle | undefined = input.endedAt
    ? { endedAt: input.endedAt, reminderSent: false, everyoneReviewed: false }
    : undefined;
  let dirty = false;

  setHandler(reviewSubmittedSignal, ({ userId, email }) => {
    reviewers.add(userId);
    reviewers.add(email.toLowerCase());
    if (review) review.everyoneReviewed = participants.every((p) => reviewers.has(p));
    dirty = true;
  });
  setHandler(followUpStateQuery, (): FollowUpState => ({
    bookingId: booking.id,
    status: booking.status,
    undelivered: deliveries.undelivered,
    ...(review
      ? {
          review: {
            ...(review.promptSentAt ? { promptSentAt: review.promptSentAt } : {}),
            reminderSent: review.reminderSent,
            closesAt: reviewWindow(policy, review.endedAt).closesAt,
            reviewers: [...reviewers],
          },
        }
      : {}),
  }));

  for (const message of input.undelivered) deliveries.resume(message);

  while (review) {
    const next = nextReviewDeadline(review, policy, now());
    setCurrentDetails(
      `**${booking.status}** · next: ${next.label} at ${new Date(next.at).toISOString()} · ${deliveries.undelivered} message(s) undelivered`,
    );
    dirty = false;
    if (await condition(() => dirty, Math.max(1, next.at - now()), { summary: next.label })) continue;
    if (next.kind === 'review_close') break;
    switch (next.kind) {
      case 'review_prompt':
        review.promptSentAt = new Date(now()).toISOString();
        deliveries.send({ kind: 'review_prompt', booking });
        break;
      case 'review_reminder':
        review.reminderSent = true;
        deliveries.send({ kind: 'review_reminder', booking, skipRecipients: [...reviewers] });
        break;
      default:
        assertNever(next.kind);
    }
  }
  setCurrentDetails(`**${booking.status}** · delivering ${deliveries.undelivered} message(s)`);
  await deliveries.settled();
  return { bookingId: booking.id, result: 'done' };
}
