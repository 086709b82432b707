import { createHash } from 'node:crypto';
import { DEFAULT_NOTIFICATION_PREFS, type NotificationPrefs } from '../domain/accounts';
import type { Queryable } from '../db/queryable';
import { findUserById, type UserRow } from '../db/repositories/users';

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  displayName: string;
  timezone: string;
  role: UserRow['role'];
  emailVerified: boolean;
  notificationPrefs: NotificationPrefs;
  createdAt: string;
  updatedAt: string;
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    timezone: row.timezone,
    role: row.role,
    emailVerified: row.email_verified,
    notificationPrefs: { ...DEFAULT_NOTIFICATION_PREFS, ...row.notification_prefs },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * A digest of the stored password hash (or of its absence) that links can carry: it changes with
 * every new password, and says nothing about the password itself.
 */
export function passwordStamp(passwordHash: string | null): string {
  return createHash('sha256')
    .update(`roombook-password-stamp:${passwordHash ?? ''}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * The caller's email for object-level checks by attendee address, only once it is verified:
 * anyone can register an address, and rights that come from an address (seeing a booking one is
 * invited to, checking in, reviewing) must go to whoever proved they read its mail. Display
 * devices have none.
 */
export async function principalEmail(
  db: Queryable,
  principal: { kind: string; userId?: string },
): Promise<string | undefined> {
  if (principal.kind !== 'user' || !principal.userId) return undefined;
  const user = await findUserById(db, principal.userId);
  return user?.email_verified ? user.email : undefined;
}
