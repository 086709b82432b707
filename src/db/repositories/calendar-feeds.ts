import { createHash, randomBytes } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import type { UserRole } from '../../domain/principal';
import { CalendarFeedSchema, UserSchema } from '../../entities';

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

const activeOf = (userId: string) => ({ userId, revokedAt: IsNull() });

/**
 * Per-user secrets for subscribing to one's calendar without a bearer header (calendar apps
 * cannot send one). One active secret per user; only its SHA-256 is stored, so it is shown once.
 */
export class CalendarFeedRepository {
  constructor(private readonly db: DataSource) {}

  private get feeds() {
    return this.db.getRepository(CalendarFeedSchema);
  }

  /**
   * Revokes the current secret, if any, and issues a new one. Concurrent rotations of one user
   * take turns on the user's row (NO KEY UPDATE: it does not block the key-share locks that
   * inserts referencing the user take), so each revokes what the previous one issued and the
   * partial unique index never sees two active secrets: the last one wins, none fails.
   */
  async rotate(userId: string): Promise<{ token: string; createdAt: string }> {
    const token = `rbcal_${randomBytes(32).toString('base64url')}`;
    const createdAt = await this.db.transaction(async (tx) => {
      await tx
        .getRepository(UserSchema)
        .createQueryBuilder('u')
        .select('u.id')
        .where('u.id = :userId', { userId })
        .setLock('for_no_key_update')
        .getOne();
      const feeds = tx.getRepository(CalendarFeedSchema);
      await feeds.update(activeOf(userId), { revokedAt: () => 'now()' });
      const inserted = await feeds.insert({ userId, tokenHash: hash(token) });
      return (inserted.generatedMaps[0].createdAt as Date).toISOString();
    });
    return { token, createdAt };
  }

  /** True when there was an active secret to revoke. */
  async revoke(userId: string): Promise<boolean> {
    const result = await this.feeds.update(activeOf(userId), { revokedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }

  async active(userId: string): Promise<{ createdAt: string } | undefined> {
    const feed = await this.feeds.findOne({ select: { id: true, createdAt: true }, where: activeOf(userId) });
    return feed ? { createdAt: feed.createdAt.toISOString() } : undefined;
  }

  /** The owner of an active secret. */
  async ownerOf(token: string): Promise<{ userId: string; role: UserRole } | undefined> {
    const feed = await this.feeds
      .createQueryBuilder('f')
      .innerJoin('f.user', 'u')
      .select(['f.id', 'u.id', 'u.role'])
      .where('f.tokenHash = :tokenHash', { tokenHash: hash(token) })
      .andWhere('f.revokedAt IS NULL')
      .getOne();
    // users.role also admits 'display', which UserRole leaves out: the row's value is answered as it is.
    return feed?.user ? { userId: feed.user.id, role: feed.user.role as UserRole } : undefined;
  }
}
