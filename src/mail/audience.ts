import type { DataSource } from 'typeorm';
import { DEFAULT_NOTIFICATION_PREFS, type NotificationPrefs } from '../domain/accounts';
import { findFormerInvitees, findOptedOutEmails } from '../db/repositories/mail-deliveries';
import { wasEverConfirmed } from '../db/repositories/notifications';
import {
  findMailAccount,
  findVerifiedMailAccounts,
  listMailAccountsByRole,
  type MailAccountRow,
} from '../db/repositories/users';
import type { BookingEvent } from '../shared/booking-messages';
import type { Reader } from './messages';
import { preferenceFor } from './preferences';

/** Kinds whose news is only the organizer's: attendees never heard of a hold or a request. */
const ORGANIZER_ONLY = new Set(['hold_created', 'rejected', 'expired']);
/** Kinds attendees hear about only once the booking has been in their calendar. */
const AFTER_INVITE = new Set(['cancelled', 'rescheduled']);

export interface Audience {
  organizer: { name: string; email: string };
  readers: Reader[];
  /** Readers whose optional message their preferences turned off (for the activity's result). */
  optedOut: number;
}

/**
 * Who hears about an event, each in their own zone: the organizer; attendees (by their account's
 * zone, else the room's); facility managers for approvals; and, after a change, people who were
 * taken off the attendee list. Preferences and `skipRecipients` are applied here.
 */
export async function resolveAudience(db: DataSource, event: BookingEvent, roomTimezone: string): Promise<Audience> {
  const { booking, kind } = event;
  const organizerRow = await findMailAccount(db, booking.organizerId);
  const organizer = { name: organizerRow?.display_name ?? 'The organizer', email: organizerRow?.email ?? '' };
  const candidates: { reader: Reader; prefs?: Partial<NotificationPrefs> }[] = [];
  const asReader = (a: MailAccountRow, role: Reader['role']) => ({
    reader: { email: a.email, name: a.display_name, userId: a.id, timezone: a.timezone, role },
    prefs: a.notification_prefs,
  });

  // Display devices organize walk-up bookings; they have no inbox.
  if (organizerRow && organizerRow.role !== 'display') candidates.push(asReader(organizerRow, 'organizer'));
  if (kind === 'pending_approval') {
    for (const manager of await approvers(db)) candidates.push(asReader(manager, 'approver'));
  }
  if (!ORGANIZER_ONLY.has(kind) && kind !== 'pending_approval' && (await attendeesHearOf(db, event))) {
    const accounts = await findVerifiedMailAccounts(db, booking.attendees);
    const byEmail = new Map(accounts.map((a) => [a.email.toLowerCase(), a]));
    for (const email of booking.attendees) {
      const account = byEmail.get(email.toLowerCase());
      if (account) candidates.push(asReader(account, 'attendee'));
      // Reviews need an account: people without one are not asked.
      else if (kind !== 'review_prompt' && kind !== 'review_reminder')
        candidates.push({ reader: { email, timezone: roomTimezone, role: 'attendee' } });
    }
  }
  if (kind === 'rescheduled') {
    for (const email of await findFormerInvitees(db, event.booking))
      candidates.push({ reader: { email, timezone: roomTimezone, role: 'former' } });
  }

  const skip = new Set((event.skipRecipients ?? []).map((r) => r.toLowerCase()));
  const seen = new Set<string>();
  const preference = preferenceFor(kind);
  const guestOptOuts = preference
    ? await findOptedOutEmails(
        db,
        preference,
        candidates.filter((c) => !c.reader.userId).map((c) => c.reader.email),
      )
    : new Set<string>();
  const readers: Reader[] = [];
  let optedOut = 0;
  for (const { reader, prefs } of candidates) {
    const email = reader.email.toLowerCase();
    if (seen.has(email) || skip.has(email) || (reader.userId && skip.has(reader.userId.toLowerCase()))) continue;
    seen.add(email);
    if (preference && reader.role !== 'approver') {
      const on = reader.userId ? { ...DEFAULT_NOTIFICATION_PREFS, ...prefs }[preference] : !guestOptOuts.has(email);
      if (!on) {
        optedOut += 1;
        continue;
      }
    }
    readers.push(reader);
  }
  return { organizer, readers, optedOut };
}

/** Facility managers decide approvals; with none, the admins. */
async function approvers(db: DataSource): Promise<MailAccountRow[]> {
  const managers = await listMailAccountsByRole(db, 'facility_manager');
  return managers.length > 0 ? managers : listMailAccountsByRole(db, 'admin');
}

/**
 * Attendees hear of a cancellation or a change only if the booking was ever confirmed (it is in
 * their calendar); a change to a hold or a pending request concerns the organizer alone.
 */
async function attendeesHearOf(db: DataSource, event: BookingEvent): Promise<boolean> {
  if (!AFTER_INVITE.has(event.kind)) return true;
  if (event.kind === 'rescheduled')
    return event.booking.status === 'confirmed' || event.booking.status === 'checked_in';
  return wasEverConfirmed(db, event.booking.id);
}
