import { EntitySchema } from 'typeorm';
import { generatedUuidKey, text, timestamptz, timestamptzNow, uuid, manyToOne } from './columns';
import type { UserEntity } from './user';

export type RevokedReason = 'logout' | 'reuse' | 'password_change' | 'password_reset' | 'sso_link';

/** A row of `refresh_token_families`: one sign-in, whose tokens rotate and die together. */
export interface RefreshTokenFamilyEntity {
  id: string;
  userId: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedReason: RevokedReason | null;
  user?: UserEntity;
  tokens?: RefreshTokenEntity[];
}

export const RefreshTokenFamilySchema = new EntitySchema<RefreshTokenFamilyEntity>({
  name: 'RefreshTokenFamily',
  tableName: 'refresh_token_families',
  columns: {
    id: generatedUuidKey(),
    userId: uuid('user_id'),
    createdAt: timestamptzNow('created_at'),
    revokedAt: timestamptz('revoked_at', { nullable: true }),
    revokedReason: text('revoked_reason', { nullable: true }),
  },
  checks: [
    {
      name: 'refresh_token_families_revoked_reason_check',
      expression: "revoked_reason IN ('logout', 'reuse', 'password_change', 'password_reset', 'sso_link')",
    },
  ],
  indices: [{ name: 'refresh_token_families_user', columns: ['userId'] }],
  relations: {
    user: manyToOne('refresh_token_families', 'user_id', 'User', { onDelete: 'CASCADE' }),
    tokens: { type: 'one-to-many', target: 'RefreshToken', inverseSide: 'family' },
  },
});

/** A row of `refresh_tokens`: the SHA-256 of one opaque token of a family. */
export interface RefreshTokenEntity {
  tokenHash: string;
  familyId: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
  family?: RefreshTokenFamilyEntity;
}

export const RefreshTokenSchema = new EntitySchema<RefreshTokenEntity>({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  columns: {
    tokenHash: { name: 'token_hash', type: 'text', primary: true },
    familyId: uuid('family_id'),
    expiresAt: timestamptz('expires_at'),
    usedAt: timestamptz('used_at', { nullable: true }),
    createdAt: timestamptzNow('created_at'),
  },
  indices: [{ name: 'refresh_tokens_family', columns: ['familyId'] }],
  relations: {
    family: manyToOne('refresh_tokens', 'family_id', 'RefreshTokenFamily', {
      inverseSide: 'tokens',
      onDelete: 'CASCADE',
    }),
  },
});
