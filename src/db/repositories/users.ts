import type { DataSource, EntityManager } from 'typeorm';

/** The reads of a user that bookings, series, reviews and live events need. */

type Db = Pick<DataSource | EntityManager, 'query'>;

export interface UserContact {
  email: string;
  displayName: string;
}

/** How an organizer is named on a booking or a series. */
export async function findUserContact(db: Db, userId: string): Promise<UserContact | undefined> {
  const [row] = (await db.query('SELECT email, display_name FROM users WHERE id = $1', [userId])) as {
    email: string;
    display_name: string;
  }[];
  return row ? { email: row.email, displayName: row.display_name } : undefined;
}

/** Empty when the user is gone: a live event still goes out, without the name. */
export async function findUserDisplayName(db: Db, userId: string): Promise<string> {
  const [row] = (await db.query('SELECT display_name FROM users WHERE id = $1', [userId])) as {
    display_name: string;
  }[];
  return row?.display_name ?? '';
}

export async function findUserEmailVerification(
  db: Db,
  userId: string,
): Promise<{ email: string; emailVerified: boolean } | undefined> {
  const [row] = (await db.query('SELECT email, email_verified FROM users WHERE id = $1', [userId])) as {
    email: string;
    email_verified: boolean;
  }[];
  return row ? { email: row.email, emailVerified: row.email_verified } : undefined;
}
