import type { BookingEventKind } from '../shared/booking-messages';
import type { NotificationPrefs } from '../domain/accounts';

/** A preference that turns optional mail off; the name is the key in users.notification_prefs. */
export type MailPreference = keyof NotificationPrefs;

/**
 * The optional kinds and the preference that silences each. Every other kind (confirmations,
 * approvals, rejections, changes, cancellations, expiries, releases) always goes: it tells
 * someone that a room they count on is or is no longer theirs.
 */
const OPTIONAL_KINDS: Partial<Record<BookingEventKind, MailPreference>> = {
  hold_created: 'bookingUpdates',
  reminder: 'reminders',
  review_prompt: 'reviewPrompts',
  review_reminder: 'reviewPrompts',
};

export const preferenceFor = (kind: BookingEventKind): MailPreference | undefined => OPTIONAL_KINDS[kind];

export const MAIL_PREFERENCES: readonly MailPreference[] = ['bookingUpdates', 'reminders', 'reviewPrompts'];

/** How an unsubscribe page names what was turned off. */
export const PREFERENCE_LABELS: Record<MailPreference, string> = {
  bookingUpdates: 'notices about room holds',
  reminders: 'reminders before your bookings',
  reviewPrompts: 'requests to review a room',
};
