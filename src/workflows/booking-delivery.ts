import { log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BookingActivities } from '../activities/bookings';
import type { MailActivities } from '../activities/mail';
import { MAILED_EVENT_KINDS, type BookingEvent, type PendingMessage } from '../shared/booking-messages';

// The announcement's fast path is short: when Redis or Postgres cannot take it at once, the
// durable announcement takes over in the background, so an outage never holds up an answer.
const quick = proxyLocalActivities<Pick<BookingActivities, 'announce'>>({
  startToCloseTimeout: '3 seconds',
  retry: { initialInterval: '100 milliseconds', maximumAttempts: 2 },
});

// Mail and durable announcements: retried for as long as it takes (an SMTP outage delays mail,
// never loses it); the booking's timers never wait for them.
const durable = proxyActivities<Pick<BookingActivities, 'announce'> & MailActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

/**
 * A workflow's outgoing messages: each booking event announced (realtime) and, for the kinds
 * that mail, mailed. It knows what is still undelivered, so a workflow that closes hands exactly
 * that to whoever carries the booking on (the next slot's workflow, or the follow-up). Mail is
 * deduplicated by Message-ID (mail_deliveries), so a message handed over is never sent twice.
 */
export class Deliveries {
  private readonly open = new Set<PendingMessage>();
  private readonly quickAttempts: Promise<unknown>[] = [];
  private readonly running: Promise<unknown>[] = [];

  /** A new event: announced at once (locally first), mailed in the background. */
  send(event: BookingEvent, options: { mail?: boolean } = {}): void {
    const entry: PendingMessage = {
      event,
      mail: options.mail ?? MAILED_EVENT_KINDS.includes(event.kind),
      announce: true,
    };
    this.open.add(entry);
    const attempt = quick.announce(event).then(
      () => this.delivered(entry, 'announce'),
      (err) => log.warn('announcement handed to the background', { kind: event.kind, err }),
    );
    this.quickAttempts.push(attempt);
    this.running.push(attempt.then(() => (entry.announce ? this.announceDurably(entry) : undefined)));
    if (entry.mail) this.running.push(this.mail(entry));
  }

  /** A message handed over by another workflow: delivered durably on the channels still open. */
  resume(message: PendingMessage): void {
    const entry = { ...message };
    if (!entry.mail && !entry.announce) return;
    this.open.add(entry);
    if (entry.announce) this.running.push(this.announceDurably(entry));
    if (entry.mail) this.running.push(this.mail(entry));
  }

  /**
   * What is not delivered yet, once each fast announcement has had its try; this workflow stops
   * caring about them (its own retries end when it closes).
   */
  async handOver(): Promise<PendingMessage[]> {
    await Promise.all(this.quickAttempts);
    const left = [...this.open].map((entry) => ({ ...entry }));
    this.open.clear();
    return left;
  }

  get undelivered(): number {
    return this.open.size;
  }

  /** Everything delivered (mail may take as long as SMTP is down). */
  async settled(): Promise<void> {
    await Promise.all(this.running);
  }

  private announceDurably(entry: PendingMessage): Promise<void> {
    return durable.announce(entry.event).then(
      () => this.delivered(entry, 'announce'),
      (err) => log.error('announcement failed', { kind: entry.event.kind, err }),
    );
  }

  private mail(entry: PendingMessage): Promise<void> {
    return durable.sendBookingMail(entry.event).then(
      () => this.delivered(entry, 'mail'),
      (err) => log.error('mail failed', { kind: entry.event.kind, err }),
    );
  }

  private delivered(entry: PendingMessage, channel: 'mail' | 'announce'): void {
    entry[channel] = false;
    if (!entry.mail && !entry.announce) this.open.delete(entry);
  }
}
