import { EntitySchema } from 'typeorm';
import { generatedUuidKey, text, timestamptzNow, uuid, manyToOne } from './columns';

export type UserRoleColumn = 'admin' | 'facility_manager' | 'member' | 'display';

/** A row of `users`. */
export interface UserEntity {
  id: string;
  email: string;
  displayName: string;
  timezone: string;
  role: UserRoleColumn;
  passwordHash: string | null;
  emailVerified: boolean;
  notificationPrefs: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  identities?: UserIdentityEntity[];
}

export const UserSchema = new EntitySchema<UserEntity>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: generatedUuidKey(),
    email: { name: 'email', type: 'citext' },
    displayName: text('display_name'),
    timezone: text('timezone', { default: 'UTC' }),
    role: text('role', { default: 'member' }),
    passwordHash: text('password_hash', { nullable: true }),
    emailVerified: { name: 'email_verified', type: 'boolean', default: false },
    notificationPrefs: { name: 'notification_prefs', type: 'jsonb', default: () => "'{}'" },
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  uniques: [{ name: 'users_email_key', columns: ['email'] }],
  checks: [{ name: 'users_role_check', expression: "role IN ('admin', 'facility_manager', 'member', 'display')" }],
  relations: {
    identities: { type: 'one-to-many', target: 'UserIdentity', inverseSide: 'user' },
  },
});

/** A row of `user_identities`: one account at an OpenID provider, keyed by (issuer, subject). */
export interface UserIdentityEntity {
  issuer: string;
  subject: string;
  userId: string;
  email: string;
  createdAt: Date;
  lastLoginAt: Date;
  user?: UserEntity;
}

export const UserIdentitySchema = new EntitySchema<UserIdentityEntity>({
  name: 'UserIdentity',
  tableName: 'user_identities',
  columns: {
    issuer: { type: 'text', primary: true },
    subject: { type: 'text', primary: true },
    userId: uuid('user_id'),
    email: { name: 'email', type: 'citext' },
    createdAt: timestamptzNow('created_at'),
    lastLoginAt: timestamptzNow('last_login_at'),
  },
  indices: [{ name: 'user_identities_user', columns: ['userId'] }],
  relations: {
    user: manyToOne('user_identities', 'user_id', 'User', { inverseSide: 'identities', onDelete: 'CASCADE' }),
  },
});
