import { EntitySchema } from 'typeorm';
import { generatedUuidKey, text, timestamptz, timestamptzNow, uuid, manyToOne } from './columns';
import type { UserEntity } from './user';

/** A row of `calendar_feeds`: the SHA-256 of a user's feed secret; at most one unrevoked per user. */
export interface CalendarFeedEntity {
  id: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  revokedAt: Date | null;
  user?: UserEntity;
}

export const CalendarFeedSchema = new EntitySchema<CalendarFeedEntity>({
  name: 'CalendarFeed',
  tableName: 'calendar_feeds',
  columns: {
    id: generatedUuidKey(),
    userId: uuid('user_id'),
    tokenHash: text('token_hash'),
    createdAt: timestamptzNow('created_at'),
    revokedAt: timestamptz('revoked_at', { nullable: true }),
  },
  uniques: [{ name: 'calendar_feeds_token_hash_key', columns: ['tokenHash'] }],
  indices: [{ name: 'calendar_feeds_one_active', columns: ['userId'], unique: true, where: 'revoked_at IS NULL' }],
  relations: {
    user: manyToOne('calendar_feeds', 'user_id', 'User', { onDelete: 'CASCADE' }),
  },
});
