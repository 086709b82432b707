import { randomUUID } from 'node:crypto';
import type { BookingStatus } from '../../src/shared/booking';
import { createUser, type TestUser } from '../support/fixtures';
import { request, type ApiAnswer } from '../support/http';
import { startApi, type TestStack } from '../support/stack';

/** A building name no other test uses, so filters and searches see only this test's rooms. */
export const uniqueBuilding = (label = 'B'): string => `${label}-${randomUUID().slice(0, 8)}`;

/** What a suite of room tests works with: the API alone (no worker), a facility manager and a member. */
export interface RoomSuite {
  stack: TestStack;
  manager: TestUser;
  member: TestUser;
}

/** Starts the API and makes the suite's two users before its tests, and closes the API after them. */
export function roomSuite(use: (suite: RoomSuite) => void, memberOptions: Parameters<typeof createUser>[1] = {}): void {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startApi();
    use({ stack, manager: await staffUser(stack), member: await createUser(stack, memberOptions) });
  });
  afterAll(async () => {
    await stack?.close();
  });
}

export async function staffUser(stack: TestStack, timezone = 'UTC'): Promise<TestUser> {
  return createUser(stack, { role: 'facility_manager', timezone });
}

/** Creates a room through the API as a facility manager; fails the test unless it answers 201. */
export async function postRoom(
  stack: TestStack,
  staff: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<any> {
  const res = await request(stack, 'POST', '/rooms', {
    as: staff,
    body: {
      name: `Room ${randomUUID().slice(0, 8)}`,
      building: 'HQ',
      floor: '1',
      capacity: 6,
      timezone: 'UTC',
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`POST /rooms answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface InsertedBooking {
  id: string;
}

/**
 * A booking row written straight to the database, as the booking workflow's activities would:
 * these tests are about reading bookings, not about making them.
 */
export async function insertBooking(
  stack: TestStack,
  roomId: string,
  organizerId: string,
  slot: {
    start: string;
    end: string;
    status?: BookingStatus;
    bufferSeconds?: number;
    title?: string;
    attendees?: string[];
    sequence?: number;
  },
): Promise<InsertedBooking> {
  const id = randomUUID();
  const occupiedUntil = new Date(Date.parse(slot.end) + (slot.bufferSeconds ?? 0) * 1000).toISOString();
  await stack.deps.dataSource.query(
    `INSERT INTO bookings (id, room_id, organizer_id, title, attendees, start_at, end_at, occupied_until, status, workflow_id, sequence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      roomId,
      organizerId,
      slot.title ?? 'Team sync',
      slot.attendees ?? [],
      slot.start,
      slot.end,
      occupiedUntil,
      slot.status ?? 'confirmed',
      `booking:${roomId}:${slot.start}`,
      slot.sequence ?? 0,
    ],
  );
  return { id };
}

/** GET as the user: `request` (test/support/http.ts) under the name these tests use. */
export function getJson(stack: TestStack, user: TestUser, path: string): Promise<ApiAnswer> {
  return request(stack, 'GET', path, { as: user });
}

export function send(
  stack: TestStack,
  user: TestUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  return request(stack, method, path, { as: user, body });
}
