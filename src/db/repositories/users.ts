import { AppError, conflict, notFound } from '../../domain/errors';
import { normalizeEmail, type NotificationPrefs } from '../../domain/accounts';
import type { UserRole } from '../../domain/principal';
import { selectRows, updatedRows, type Queryable } from '../queryable';

/** The users table: accounts, their roles, passwords and preferences. */

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

const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === '23505';
const emailTaken = () => conflict('EMAIL_TAKEN', 'An account with this email already exists.');

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await selectRows<UserRow>(db, 'SELECT * FROM users WHERE id = $1', [id]);
  return row;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await selectRows<UserRow>(db, 'SELECT * FROM users WHERE email = $1', [normalizeEmail(email)]);
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
    const [row] = await selectRows<UserRow>(
      db,
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
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
}

/**
 * The configured admin, unless an account has the address: ON CONFLICT makes two api processes
 * starting together create it once. Undefined when the address was taken.
 */
export async function insertBootstrapAdmin(
  db: Queryable,
  email: string,
  passwordHash: string,
): Promise<{ id: string } | undefined> {
  const [row] = await selectRows<{ id: string }>(
    db,
    `INSERT INTO users (email, display_name, role, password_hash, email_verified)
     VALUES ($1, 'Administrator', 'admin', $2, true)
     ON CONFLICT (email) DO NOTHING RETURNING id`,
    [normalizeEmail(email), passwordHash],
  );
  return row;
}

/**
 * A device account (role `display`, no password, notifications off), created the first time:
 * concurrent first calls agree on one row.
 */
export async function ensureDeviceAccount(
  db: Queryable,
  account: { email: string; displayName: string; timezone: string },
): Promise<{ id: string; email: string; displayName: string }> {
  await db.query<unknown>(
    `INSERT INTO users (email, display_name, timezone, role, notification_prefs)
     VALUES ($1, $2, $3, 'display', '{"bookingUpdates": false, "reminders": false, "reviewPrompts": false}'::jsonb)
     ON CONFLICT (email) DO NOTHING`,
    [account.email, account.displayName, account.timezone],
  );
  const [row] = await selectRows<Pick<UserRow, 'id' | 'email' | 'display_name'>>(
    db,
    'SELECT id, email, display_name FROM users WHERE email = $1',
    [account.email],
  );
  return { id: row.id, email: row.email, displayName: row.display_name };
}

export async function updateProfile(
  db: Queryable,
  id: string,
  patch: { displayName?: string; timezone?: string; notificationPrefs?: Partial<NotificationPrefs> },
): Promise<UserRow> {
  const [row] = await updatedRows<UserRow>(
    db,
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
  if (!row) throw notFound('User');
  return row;
}

export async function updatePasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query<unknown>('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
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
  const [row] = await updatedRows<UserRow>(
    db,
    'UPDATE users SET password_hash = $3, updated_at = now() WHERE id = $1 AND password_hash IS NOT DISTINCT FROM $2 RETURNING *',
    [id, expected, passwordHash],
  );
  return row;
}

/** Marks the address verified if the account still has it unverified: a verification link works once. */
export async function markEmailVerified(db: Queryable, id: string, email: string): Promise<UserRow | undefined> {
  const [row] = await updatedRows<UserRow>(
    db,
    'UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1 AND email = $2 AND NOT email_verified RETURNING *',
    [id, normalizeEmail(email)],
  );
  return row;
}

/** Single sign-on proved the address: the account's password (set by whoever did not) goes. */
export async function verifyByProviderDroppingPassword(db: Queryable, id: string): Promise<void> {
  await db.query<unknown>(
    'UPDATE users SET password_hash = NULL, email_verified = true, updated_at = now() WHERE id = $1',
    [id],
  );
}

/** A new address is unproven until its own verification link is followed. */
export async function changeEmail(db: Queryable, id: string, email: string): Promise<UserRow> {
  try {
    const [row] = await updatedRows<UserRow>(
      db,
      'UPDATE users SET email = $2, email_verified = false, updated_at = now() WHERE id = $1 RETURNING *',
      [id, normalizeEmail(email)],
    );
    if (!row) throw notFound('User');
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken();
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
  const [{ total }] = await selectRows<{ total: number }>(
    db,
    `SELECT count(*)::int AS total FROM users ${clause}`,
    params,
  );
  const items = await selectRows<UserRow>(
    db,
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
  const [target] = await selectRows<UserRow>(db, 'SELECT * FROM users WHERE id = $1 FOR UPDATE', [id]);
  if (!target) throw notFound('User');
  if (target.role === 'display')
    throw new AppError(422, 'POLICY_VIOLATION', 'Display devices are managed through display tokens, not roles.');
  if (target.role === 'admin' && role !== 'admin') {
    const admins = await selectRows<{ id: string }>(db, "SELECT id FROM users WHERE role = 'admin' FOR UPDATE");
    if (admins.length <= 1) throw conflict('LAST_ADMIN', 'This is the last admin: promote someone else first.');
  }
  const [row] = await updatedRows<UserRow>(
    db,
    'UPDATE users SET role = $2, updated_at = now() WHERE id = $1 RETURNING *',
    [id, role],
  );
  return row;
}

/** What mail needs to address a person: the reader's name, zone and preferences. */
export interface MailAccountRow {
  id: string;
  email: string;
  display_name: string;
  timezone: string;
  notification_prefs: Partial<NotificationPrefs>;
  role: UserRow['role'];
}

const MAIL_ACCOUNT_COLUMNS = 'id, email, display_name, timezone, notification_prefs, role';

export async function findMailAccount(db: Queryable, id: string): Promise<MailAccountRow | undefined> {
  const [row] = await selectRows<MailAccountRow>(db, `SELECT ${MAIL_ACCOUNT_COLUMNS} FROM users WHERE id = $1`, [id]);
  return row;
}

/** The accounts behind these addresses, only where the address is verified (whoever owns it reads its mail). */
export function findVerifiedMailAccounts(db: Queryable, emails: readonly string[]): Promise<MailAccountRow[]> {
  return selectRows<MailAccountRow>(
    db,
    `SELECT ${MAIL_ACCOUNT_COLUMNS} FROM users WHERE email = ANY($1::citext[]) AND email_verified`,
    [emails],
  );
}

/** Everyone with this role, oldest account first. */
export function listMailAccountsByRole(db: Queryable, role: UserRole): Promise<MailAccountRow[]> {
  return selectRows<MailAccountRow>(
    db,
    `SELECT ${MAIL_ACCOUNT_COLUMNS} FROM users WHERE role = $1 ORDER BY created_at`,
    [role],
  );
}

export interface UserContact {
  email: string;
  displayName: string;
}

/** How an organizer is named on a booking or a series. */
export async function findUserContact(db: Queryable, userId: string): Promise<UserContact | undefined> {
  const [row] = await selectRows<Pick<UserRow, 'email' | 'display_name'>>(
    db,
    'SELECT email, display_name FROM users WHERE id = $1',
    [userId],
  );
  return row ? { email: row.email, displayName: row.display_name } : undefined;
}

/** Empty when the user is gone: a live event still goes out, without the name. */
export async function findUserDisplayName(db: Queryable, userId: string): Promise<string> {
  const [row] = await selectRows<Pick<UserRow, 'display_name'>>(db, 'SELECT display_name FROM users WHERE id = $1', [
    userId,
  ]);
  return row?.display_name ?? '';
}

export async function findUserEmailVerification(
  db: Queryable,
  userId: string,
): Promise<{ email: string; emailVerified: boolean } | undefined> {
  const [row] = await selectRows<Pick<UserRow, 'email' | 'email_verified'>>(
    db,
    'SELECT email, email_verified FROM users WHERE id = $1',
    [userId],
  );
  return row ? { email: row.email, emailVerified: row.email_verified } : undefined;
}
