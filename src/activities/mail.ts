import type { BookingEvent } from '../shared/booking-messages';
import type { ActivityDeps } from './deps';

const SUBJECTS: Record<string, string> = {
  hold_created: 'Held',
  pending_approval: 'Waiting for approval',
  confirmed: 'Confirmed',
  approved: 'Approved',
  rejected: 'Not approved',
  expired: 'Expired',
  cancelled: 'Cancelled',
  rescheduled: 'Changed',
  reminder: 'Starting soon',
  released: 'Released (nobody checked in)',
  review_prompt: 'How was the room?',
  review_reminder: 'Reminder: how was the room?',
};

export function createMailActivities(deps: Pick<ActivityDeps, 'dataSource' | 'mailer' | 'config'>) {
  return {
    /**
     * Sends the mail for one booking event. The Message-ID comes from the workflow id, the kind
     * and the booking version, so a retried activity resends the same message, never a new one.
     */
    async sendBookingMail(event: BookingEvent): Promise<{ sent: number }> {
      const { booking, kind } = event;
      const [organizer] = await deps.dataSource.query('SELECT email FROM users WHERE id = $1', [booking.organizerId]);
      const skip = new Set((event.skipRecipients ?? []).map((r) => r.toLowerCase()));
      const recipients = [organizer?.email, ...booking.attendees].filter((r): r is string => Boolean(r) && !skip.has(r.toLowerCase()));
      if (recipients.length === 0) return { sent: 0 };
      await deps.mailer.sendMail({
        from: deps.config.mailFrom,
        to: recipients,
        subject: `${SUBJECTS[kind] ?? kind}: ${booking.title}`,
        messageId: `<${booking.workflowId.replace(/[^A-Za-z0-9.-]/g, '.')}.${kind}.v${booking.version}@roombook>`,
        text: `${booking.title}\n${booking.start} – ${booking.end} (UTC)\nStatus: ${booking.status}\n`,
      });
      return { sent: recipients.length };
    },
  };
}

export type MailActivities = ReturnType<typeof createMailActivities>;
