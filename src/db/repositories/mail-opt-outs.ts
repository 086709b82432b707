import type { DataSource, EntityManager } from 'typeorm';
import type { MailPreference } from '../../mail/preferences';

/** An address without a (verified) account opts out of one optional kind of mail, as a guest. */
export async function recordMailOptOut(
  db: DataSource | EntityManager,
  email: string,
  preference: MailPreference,
): Promise<void> {
  await db.query('INSERT INTO mail_opt_outs (email, preference) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    email,
    preference,
  ]);
}
