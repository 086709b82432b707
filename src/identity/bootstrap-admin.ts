import { normalizeEmail } from '../domain/accounts';
import { findUserByEmail, insertBootstrapAdmin } from '../db/repositories/users';
import type { Queryable } from '../db/queryable';
import type { Logger } from '../infra/logger';
import { hashPassword } from './passwords';

export type BootstrapOutcome = 'created' | 'exists' | 'not-configured';

/**
 * Creates the configured admin when no account has that email. An existing account is never
 * touched (not its password, not its role): the variables seed a fresh install, they do not
 * reset one.
 */
export async function ensureBootstrapAdmin(
  db: Queryable,
  admin: { email: string; password: string } | undefined,
  logger: Logger,
): Promise<BootstrapOutcome> {
  if (!admin) return 'not-configured';
  const email = normalizeEmail(admin.email);
  if (await findUserByEmail(db, email)) return 'exists';
  const created = await insertBootstrapAdmin(db, email, await hashPassword(admin.password));
  if (!created) return 'exists';
  logger.info({ email, userId: created.id }, 'bootstrap admin created');
  return 'created';
}
