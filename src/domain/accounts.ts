/** Account rules that every layer shares: how emails compare, what a person is told by default. */

/** What a person chooses to be told about; absent keys mean the default (true). */
export interface NotificationPrefs {
  bookingUpdates: boolean;
  reminders: boolean;
  reviewPrompts: boolean;
}

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = {
  bookingUpdates: true,
  reminders: true,
  reviewPrompts: true,
};

/** Emails are compared case-insensitively (citext) and stored trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
