import type { Logger } from '../infra/logger';
import { hashPassword } from './passwords';
import type { Queryable } from './queryable';
import { normalizeEmail } from './users';

export type BootstrapOutcome = 'created' | 'exists' | 'not-configured';

/**
 * Creates the configured admin when no account has that email. An existing account is never
 * touched (not its password, not its role): the variables seed a fresh install, they do not
 * reset one. ON CONFLICT makes two api processes starting together create it once.
 */
export async function ensureBootstrapAdmin(
  db: Queryable,
  admin: { email: string; password: string } | undefined,
  logger: Logger,
): Promise<BootstrapOutcome> {
  if (!admin) return 'not-configured';
  const email = normalizeEmail(admin.email);
  const [existing] = await db.query('SELECT id FROM users WHERE email = $1', [email]);
  if (existing) return 'exists';
  const rows = await db.query(
    `INSERT INTO users (email, display_name, role, password_hash, email_verified)
     VALUES ($1, 'Administrator', 'admin', $2, true)
     ON CONFLICT (email) DO NOTHING RETURNING id`,
    [email, await hashPassword(admin.password)],
  );
  if (rows.length === 0) return 'exists';
  logger.info({ email, userId: rows[0].id }, 'bootstrap admin created');
  return 'created';
}
