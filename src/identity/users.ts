import { createHash } from 'node:crypto';
import type { UserRole } from '../domain/principal';
import { AppError, conflict, notFound } from '../domain/errors';
import { returnedRows, type Queryable } from './queryable';

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

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  timezone: string;
  role: UserRole | 'display';
  password_hash: string | null;
  email_verified: boolean;
  notification_prefs: Partial<NotificationPrefs>;
  created_at: Date;
  updated_at: Date;
}

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

/** Emails are compared case-insensitively (citext) and stored trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await db.query('SELECT * FROM users WHERE id = $1', [id]);
  return row;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await db.query('SELECT * FROM users WHERE email = $1', [normalizeEmail(email)]);
  return row;
}

export async function insertUser(
  db: Queryable,
  // No password hash: an account made by single sign-on signs in at its provider (or sets a password by reset).
  user: {
    email: string;
    displayName: string;
    timezone: string;
    passwordHash: string | null;
    role?: UserRole;
    emailVerified?: boolean;
  },
): Promise<UserRow> {
  try {
    const [row] = await db.query(
      `INSERT INTO users (email, display_name, timezone, role, password_hash, email_verified)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [
        normalizeEmail(user.email),
        user.displayName,
        user.timezone,
        user.role ?? 'member',
        user.passwordHash,
        user.emailVerified ?? false,
      ],
    );
    return row;
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw conflict('EMAIL_TAKEN', 'An account with this email already exists.');
    throw err;
  }
}

export async function updateProfile(
  db: Queryable,
  id: string,
  patch: { displayName?: string; timezone?: string; notificationPrefs?: Partial<NotificationPrefs> },
): Promise<UserRow> {
  const result = await db.query(
    `UPDATE users SET
       display_name = COALESCE($2, display_name),
       timezone = COALESCE($3, timezone),
       notification_prefs = notification_prefs || COALESCE($4::jsonb, '{}'::jsonb),
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      patch.displayName ?? null,
      patch.timezone ?? null,
      patch.notificationPrefs ? JSON.stringify(patch.notificationPrefs) : null,
    ],
  );
  const [row] = returnedRows<UserRow>(result);
  if (!row) throw notFound('User');
  return row;
}

export async function updatePasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
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
 * Sets a new password only if the stored one is still the one the caller saw: of two concurrent
 * changes (or two uses of one reset link) exactly one wins.
 */
export async function replacePasswordHash(
  db: Queryable,
  id: string,
  expected: string | null,
  passwordHash: string,
): Promise<UserRow | undefined> {
  const result = await db.query(
    'UPDATE users SET password_hash = $3, updated_at = now() WHERE id = $1 AND password_hash IS NOT DISTINCT FROM $2 RETURNING *',
    [id, expected, passwordHash],
  );
  return returnedRows<UserRow>(result)[0];
}

/** Marks the address verified if the account still has it unverified: a verification link works once. */
export async function markEmailVerified(db: Queryable, id: string, email: string): Promise<UserRow | undefined> {
  const result = await db.query(
    'UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1 AND email = $2 AND NOT email_verified RETURNING *',
    [id, normalizeEmail(email)],
  );
  return returnedRows<UserRow>(result)[0];
}

/** A new address is unproven until its own verification link is followed. */
export async function changeEmail(db: Queryable, id: string, email: string): Promise<UserRow> {
  try {
    const result = await db.query(
      'UPDATE users SET email = $2, email_verified = false, updated_at = now() WHERE id = $1 RETURNING *',
      [id, normalizeEmail(email)],
    );
    const [row] = returnedRows<UserRow>(result);
    if (!row) throw notFound('User');
    return row;
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw conflict('EMAIL_TAKEN', 'An account with this email already exists.');
    throw err;
  }
}

export interface UserPage {
  items: UserRow[];
  total: number;
}

/** Admin listing: newest first; `search` matches email or display name, as a substring. */
export async function listUsers(
  db: Queryable,
  opts: { search?: string; role?: string; page: number; pageSize: number },
): Promise<UserPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.search) {
    params.push(`%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(email ILIKE $${params.length} OR display_name ILIKE $${params.length})`);
  }
  if (opts.role) {
    params.push(opts.role);
    where.push(`role = $${params.length}`);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM users ${clause}`, params);
  const items = await db.query(
    `SELECT * FROM users ${clause} ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, opts.pageSize, (opts.page - 1) * opts.pageSize],
  );
  return { items, total };
}

/**
 * Changes a role. The last admin cannot be demoted: the rows are locked so two concurrent
 * demotions cannot both see "another admin is left". Run it inside a transaction.
 */
export async function changeRole(db: Queryable, id: string, role: UserRole): Promise<UserRow> {
  const [target] = await db.query('SELECT * FROM users WHERE id = $1 FOR UPDATE', [id]);
  if (!target) throw notFound('User');
  if (target.role === 'display')
    throw new AppError(422, 'POLICY_VIOLATION', 'Display devices are managed through display tokens, not roles.');
  if (target.role === 'admin' && role !== 'admin') {
    const admins = await db.query("SELECT id FROM users WHERE role = 'admin' FOR UPDATE");
    if (admins.length <= 1) throw conflict('LAST_ADMIN', 'This is the last admin: promote someone else first.');
  }
  const result = await db.query('UPDATE users SET role = $2, updated_at = now() WHERE id = $1 RETURNING *', [id, role]);
  return returnedRows<UserRow>(result)[0];
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
