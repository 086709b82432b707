import { Emitter } from '@socket.io/redis-emitter';
import type { DataSource } from 'typeorm';
import { moderators, type ReviewRecord } from '../db/repositories/reviews';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';
import { sendWithRetries, type Transporter } from '../mail/transport';
// Every connection of a user joins userChannel(userId): the alert reaches each moderator's sockets once.
import { userChannel } from '../realtime/events';

export const REVIEW_PENDING_EVENT = 'review.pending';

/** docs/events.md: the realtime envelope (eventId to dedupe, version, timestamp) and the review. */
export interface ReviewPendingPayload {
  eventId: string;
  version: number;
  timestamp: string;
  reviewId: string;
  roomId: string;
  roomName: string;
  bookingId: string;
  rating: number;
  comment: string;
  screeningFlags: string[];
  createdAt: string;
}

export interface ModerationAlertDeps {
  dataSource: DataSource;
  redis: Redis;
  logger: Logger;
  config: { mailFrom: string; publicUrl: string; smtpUrl: string };
  /** A long-lived transport if the process has one; otherwise one is opened per alert and closed after it. */
  mailer?: Transporter;
}

const MAIL_ATTEMPTS = 4;
const MAIL_BACKOFF_MS = 1000;

/**
 * Tells moderators that a review waits for them: a realtime event through the Socket.IO Redis
 * emitter (any api process delivers it) and an email to every facility manager and admin.
 * Both run after the review is committed and never fail the submission: a review is accepted
 * while SMTP or Redis is down, and the failure is logged. Mail is retried with backoff, and its
 * Message-ID is derived from the review, so a retry that did reach the server is one message.
 */
export function createModerationAlerts(deps: ModerationAlertDeps) {
  // The emitter publishes fire-and-forget; a rejected publish (Redis down) must not become an unhandled rejection.
  const publisher = {
    publish: (channel: string, message: Buffer | string) =>
      deps.redis.publish(channel, message).catch((err: Error) => {
        deps.logger.warn({ err: err.message }, 'review.pending not published (Redis)');
        return 0;
      }),
  };
  const emitter = new Emitter(publisher);

  async function mail(payload: ReviewPendingPayload, recipients: string[]): Promise<void> {
    if (recipients.length === 0) return;
    await sendWithRetries(
      { smtpUrl: deps.config.smtpUrl, mailer: deps.mailer },
      {
        from: deps.config.mailFrom,
        to: deps.config.mailFrom,
        // Blind copies: moderators need not see each other's addresses.
        bcc: recipients,
        subject: `Review waiting for moderation: ${payload.roomName} (${payload.rating}/5)`,
        messageId: `<review.${payload.reviewId}.v${payload.version}.pending@roombook>`,
        text: [
          `A review of ${payload.roomName} was held back for moderation (${payload.screeningFlags.join(', ') || 'edited after rejection'}).`,
          '',
          `Rating: ${payload.rating}/5`,
          `Comment: ${payload.comment}`,
          '',
          `Moderate: ${deps.config.publicUrl}/api/v1/moderation/reviews (POST /api/v1/reviews/${payload.reviewId}/moderation)`,
        ].join('\n'),
      },
      { attempts: MAIL_ATTEMPTS, backoffMs: MAIL_BACKOFF_MS },
    );
  }

  return {
    /** Never rejects; callers run it in the background (`void`) so the submission answers at once. */
    async reviewPending(review: ReviewRecord): Promise<void> {
      const staff = await moderators(deps.dataSource).catch((err: Error) => {
        deps.logger.error({ err: err.message, reviewId: review.id }, 'moderators not found; no moderation alert');
        return [];
      });
      if (staff.length === 0) return;
      // The review's last change orders its alerts: an edit that sends it back to the queue is a new event.
      const version = Date.parse(review.updatedAt);
      const payload: ReviewPendingPayload = {
        eventId: `review:${review.id}#v${version}#${REVIEW_PENDING_EVENT}`,
        version,
        timestamp: new Date().toISOString(),
        reviewId: review.id,
        roomId: review.roomId,
        roomName: review.roomName,
        bookingId: review.bookingId,
        rating: review.rating,
        comment: review.comment,
        screeningFlags: review.screeningFlags,
        createdAt: review.createdAt,
      };
      try {
        emitter.to(staff.map((m) => userChannel(m.id))).emit(REVIEW_PENDING_EVENT, payload);
      } catch (err) {
        deps.logger.warn({ err: (err as Error).message, reviewId: review.id }, 'review.pending not published');
      }
      await mail(
        payload,
        staff.map((m) => m.email),
      ).catch((err: Error) => {
        deps.logger.error({ err: err.message, reviewId: review.id }, 'moderation alert mail failed after retries');
      });
    },
  };
}

export type ModerationAlerts = ReturnType<typeof createModerationAlerts>;
