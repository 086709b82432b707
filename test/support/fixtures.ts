import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { UserRole } from '../../src/domain/principal';
import { signAccessToken } from '../../src/api/auth/jwt';
import type { Config } from '../../src/config';
import { DEFAULT_ROOM_POLICY, type RoomPolicy } from '../../src/shared/booking';

interface FixtureStack {
  config: Pick<Config, 'jwtSecret'>;
  deps: { dataSource: DataSource };
}

export interface TestUser {
  id: string;
  email: string;
  role: UserRole;
  timezone: string;
  token: string;
  /** Request headers carrying the bearer token. */
  auth: Record<string, string>;
}

/**
 * A user written straight to the database with a signed access token: tests of other areas need no
 * sign-up round trip. Verified by default (an account whose owner proved the address, which is
 * what attendee rights need); `emailVerified: false` for a fresh, unproven sign-up.
 */
export async function createUser(
  stack: FixtureStack,
  opts: { role?: UserRole; timezone?: string; email?: string; displayName?: string; emailVerified?: boolean } = {},
): Promise<TestUser> {
  const role = opts.role ?? 'member';
  const timezone = opts.timezone ?? 'UTC';
  const email = opts.email ?? `user-${randomUUID().slice(0, 8)}@example.test`;
  const [row] = await stack.deps.dataSource.query(
    'INSERT INTO users (email, display_name, timezone, role, email_verified) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [email, opts.displayName ?? email.split('@')[0], timezone, role, opts.emailVerified ?? true],
  );
  const token = signAccessToken(stack.config.jwtSecret, { id: row.id, role });
  return {
    id: row.id,
    email,
    role,
    timezone,
    token,
    auth: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  };
}

export interface TestRoom {
  id: string;
  name: string;
  timezone: string;
  policy: RoomPolicy;
}

/** A room written straight to the database with the given policy (seconds-scale durations for lifecycle tests). */
export async function createRoom(
  stack: FixtureStack,
  opts: {
    policy?: Partial<RoomPolicy>;
    timezone?: string;
    capacity?: number;
    building?: string;
    floor?: string;
    amenities?: string[];
    status?: 'active' | 'out_of_service';
    name?: string;
  } = {},
): Promise<TestRoom> {
  const policy = { ...DEFAULT_ROOM_POLICY, ...opts.policy };
  const name = opts.name ?? `Room ${randomUUID().slice(0, 8)}`;
  const timezone = opts.timezone ?? 'UTC';
  const [row] = await stack.deps.dataSource.query(
    `INSERT INTO rooms (name, building, floor, capacity, amenities, timezone, policy, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      name,
      opts.building ?? 'HQ',
      opts.floor ?? '1',
      opts.capacity ?? 6,
      opts.amenities ?? [],
      timezone,
      JSON.stringify(policy),
      opts.status ?? 'active',
    ],
  );
  return { id: row.id, name, timezone, policy };
}
