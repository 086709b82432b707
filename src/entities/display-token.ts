import { EntitySchema } from 'typeorm';
import { generatedUuidKey, text, timestamptz, timestamptzNow, uuid, manyToOne } from './columns';
import type { RoomEntity } from './room';
import type { UserEntity } from './user';

/** A row of `display_tokens`: the SHA-256 of a room display device's token. */
export interface DisplayTokenEntity {
  id: string;
  roomId: string;
  name: string;
  tokenHash: string;
  createdBy: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  room?: RoomEntity;
  creator?: UserEntity | null;
}

export const DisplayTokenSchema = new EntitySchema<DisplayTokenEntity>({
  name: 'DisplayToken',
  tableName: 'display_tokens',
  columns: {
    id: generatedUuidKey(),
    roomId: uuid('room_id'),
    name: text('name'),
    tokenHash: text('token_hash'),
    createdBy: uuid('created_by', { nullable: true }),
    createdAt: timestamptzNow('created_at'),
    revokedAt: timestamptz('revoked_at', { nullable: true }),
  },
  uniques: [{ name: 'display_tokens_token_hash_key', columns: ['tokenHash'] }],
  indices: [{ name: 'display_tokens_room', columns: ['roomId'] }],
  relations: {
    room: manyToOne('display_tokens', 'room_id', 'Room', { onDelete: 'CASCADE' }),
    creator: manyToOne('display_tokens', 'created_by', 'User', { nullable: true, onDelete: 'SET NULL' }),
  },
});
