import type { DataSource } from 'typeorm';
import { DEFAULT_NOTIFICATION_PREFS, type NotificationPrefs } from '../identity/users';
import type { BookingEvent } from '../shared/booking-messages';
import type { Reader } from './messages';
import { preferenceFor } from './preferences';

interface Account {
  id: string;
  email: string;
  display_name: string;
  timezone: string;
  notification_prefs: Partial<NotificationPrefs>;
  role: string;
}

const ACCOUNT_COLUMNS = 'id, email, display_name, timezone, notification_prefs, role';

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
  const [organizerRow] = (await db.query(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE id = $1`, [
    booking.organizerId,
  ])) as Account[];
  const organizer = { name: organizerRow?.display_name ?? 'The organizer', email: organizerRow?.email ?? '' };
  const candidates: { reader: Reader; prefs?: Partial<NotificationPrefs> }[] = [];
  const asReader = (a: Account, role: Reader['role']) => ({
    reader: { email: a.email, name: a.display_name, userId: a.id, timezone: a.timezone, role },
    prefs: a.notification_prefs,
  });

  // Display devices organize walk-up bookings; they have no inbox.
  if (organizerRow && organizerRow.role !== 'display') candidates.push(asReader(organizerRow, 'organizer'));
  if (kind === 'pending_approval') {
    for (const manager of await approvers(db)) candidates.push(asReader(manager, 'approver'));
  }
  if (!ORGANIZER_ONLY.has(kind) && kind !== 'pending_approval' && (await attendeesHearOf(db, event))) {
    const accounts = (await db.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM users WHERE email = ANY($1::citext[]) AND email_verified`,
      [booking.attendees],
    )) as Account[];
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
    for (const email of await formerInvitees(db, event))
      candidates.push({ reader: { email, timezone: roomTimezone, role: 'former' } });
  }

  const skip = new Set((event.skipRecipients ?? []).map((r) => r.toLowerCase()));
  const seen = new Set<string>();
  const preference = preferenceFor(kind);
  const guestOptOuts = preference
    ? await optedOutGuests(
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
async function approvers(db: DataSource): Promise<Account[]> {
  const managers = (await db.query(
    `SELECT ${ACCOUNT_COLUMNS} FROM users WHERE role = 'facility_manager' ORDER BY created_at`,
  )) as Account[];
  if (managers.length > 0) return managers;
  return (await db.query(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE role = 'admin' ORDER BY created_at`)) as Account[];
}

/**
 * Attendees hear of a cancellation or a change only if the booking was ever confirmed (it is in
 * their calendar); a change to a hold or a pending request concerns the organizer alone.
 */
async function attendeesHearOf(db: DataSource, event: BookingEvent): Promise<boolean> {
  if (!AFTER_INVITE.has(event.kind)) return true;
  if (event.kind === 'rescheduled')
    return event.booking.status === 'confirmed' || event.booking.status === 'checked_in';
  const rows = await db.query(
    "SELECT 1 FROM booking_notifications WHERE booking_id = $1 AND kind IN ('confirmed', 'approved') LIMIT 1",
    [event.booking.id],
  );
  return rows.length > 0;
}

/** Whoever got an invite for this booking and is no longer an attendee (nor the organizer). */
async function formerInvitees(db: DataSource, event: BookingEvent): Promise<string[]> {
  const rows = (await db.query(
    `SELECT DISTINCT d.recipient::text AS email FROM mail_deliveries d
     WHERE d.booking_id = $1 AND d.invite_method = 'REQUEST'
       AND NOT (d.recipient = ANY($2::citext[]))
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = $3 AND u.email = d.recipient)
       AND NOT EXISTS (SELECT 1 FROM mail_deliveries c WHERE c.booking_id = d.booking_id AND c.recipient = d.recipient
                       AND c.invite_method = 'CANCEL' AND c.sent_at > d.sent_at)`,
    [event.booking.id, event.booking.attendees, event.booking.organizerId],
  )) as { email: string }[];
  return rows.map((r) => r.email);
}

async function optedOutGuests(db: DataSource, preference: string, emails: string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = (await db.query(
    'SELECT email::text AS email FROM mail_opt_outs WHERE preference = $1 AND email = ANY($2::citext[])',
    [preference, emails],
  )) as { email: string }[];
  return new Set(rows.map((r) => r.email.toLowerCase()));
}
