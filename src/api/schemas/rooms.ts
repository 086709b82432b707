import { IANAZone } from 'luxon';
import { SECONDS_PER_DAY } from '../../domain/room-policy';
import { BOOKING_STATUSES } from '../../shared/booking';
import { z } from '../http/openapi';

const seconds = (max: number, min = 0) => z.number().int().min(min).max(max);

/**
 * Every field of a room's booking policy with its range. Durations are seconds; small values (1 s)
 * are allowed on purpose so tests can run a booking's whole life in seconds.
 */
const policyFields = {
  slotGranularitySeconds: seconds(SECONDS_PER_DAY, 1)
    .refine((v) => SECONDS_PER_DAY % v === 0, 'must divide a day (86400 seconds) evenly, e.g. 300, 900, 1800, 3600')
    .openapi({
      description: 'Bookings start and end on this grid, counted from midnight in the room time zone',
      example: 900,
    }),
  holdTtlSeconds: seconds(SECONDS_PER_DAY, 1).openapi({ example: 300 }),
  requiresApproval: z.boolean(),
  approvalTimeoutSeconds: seconds(30 * SECONDS_PER_DAY, 1).openapi({ example: 86400 }),
  requiresCheckIn: z.boolean(),
  checkInOpensBeforeSeconds: seconds(SECONDS_PER_DAY).openapi({ example: 300 }),
  checkInGraceSeconds: seconds(SECONDS_PER_DAY, 1).openapi({ example: 600 }),
  reminderLeadSeconds: seconds(7 * SECONDS_PER_DAY).openapi({ example: 900 }),
  minNoticeSeconds: seconds(30 * SECONDS_PER_DAY).openapi({ example: 0 }),
  maxDurationSeconds: seconds(7 * SECONDS_PER_DAY, 1).openapi({ example: 14400 }),
  horizonDays: seconds(3650, 1).openapi({ description: 'How many days ahead a booking may start', example: 180 }),
  bufferSeconds: seconds(SECONDS_PER_DAY).openapi({
    description: 'Kept free after each booking (changeover)',
    example: 0,
  }),
  reviewPromptDelaySeconds: seconds(30 * SECONDS_PER_DAY).openapi({ example: 0 }),
  reviewWindowSeconds: seconds(90 * SECONDS_PER_DAY, 1).openapi({ example: 259200 }),
  waitlistClaimSeconds: seconds(SECONDS_PER_DAY, 1).openapi({
    description: "How long a waitlist offer's hold waits to be confirmed before the next waiter gets the slot",
    example: 900,
  }),
};

export const roomPolicySchema = z.object(policyFields).openapi('RoomPolicy');
/** Any subset, merged over the defaults (create) or the room's current policy (update). */
export const roomPolicyInputSchema = z.object(policyFields).partial().strict().openapi('RoomPolicyInput');

export const EQUIPMENT_STATUSES = ['ok', 'degraded', 'broken'] as const;
export const ROOM_STATUSES = ['active', 'out_of_service'] as const;

export const equipmentSchema = z
  .object({ name: z.string().trim().min(1).max(80), status: z.enum(EQUIPMENT_STATUSES) })
  .strict()
  .openapi('Equipment');

export const timezoneSchema = z
  .string()
  .refine((tz) => IANAZone.isValidZone(tz), 'must be an IANA time zone, e.g. Europe/Berlin')
  .openapi({ example: 'Europe/Berlin' });

export const amenityNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ and -, up to 40 characters')
  .openapi({ example: 'video_conferencing' });

export const roomSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    building: z.string(),
    floor: z.string(),
    capacity: z.number().int(),
    amenities: z.array(z.string()),
    equipment: z.array(equipmentSchema),
    timezone: z.string(),
    slug: z.string().openapi({ description: "The mailbox's local part; kept when the room is renamed" }),
    mailbox: z.string().email().openapi({
      description: 'Invite this address from any calendar app to book the room (docs/room-mailboxes.md)',
      example: 'boardroom-3f2a1c@rooms.roombook.local',
    }),
    policy: roomPolicySchema,
    status: z.enum(ROOM_STATUSES),
    rating: z.object({ average: z.number().nullable(), count: z.number().int() }),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('Room');

const roomFields = {
  name: z.string().trim().min(1).max(120),
  building: z.string().trim().min(1).max(120),
  floor: z.string().trim().min(1).max(40),
  capacity: z.number().int().positive().max(10_000),
  amenities: z
    .array(amenityNameSchema)
    .max(50)
    .refine((a) => new Set(a).size === a.length, 'must not repeat an amenity'),
  equipment: z.array(equipmentSchema).max(100),
  timezone: timezoneSchema,
  policy: roomPolicyInputSchema,
  status: z.enum(ROOM_STATUSES),
};

export const createRoomSchema = z
  .object({
    ...roomFields,
    amenities: roomFields.amenities.default([]),
    equipment: roomFields.equipment.default([]),
    policy: roomFields.policy.optional(),
    status: roomFields.status.default('active'),
  })
  .strict()
  .openapi('CreateRoom');

export const updateRoomSchema = z.object(roomFields).partial().strict().openapi('UpdateRoom');

export const roomIdParams = z.object({ id: z.string().uuid().openapi({ description: 'Room id' }) });

/** A comma list in the query string, e.g. amenities=screen,whiteboard. */
const commaList = z
  .string()
  .transform((s) => [
    ...new Set(
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ])
  .openapi({
    type: 'string',
    description: 'Comma-separated amenity names; every one is required',
    example: 'screen,whiteboard',
  });

const minCapacity = z.coerce
  .number()
  .int()
  .positive()
  .max(10_000)
  .openapi({ description: 'Minimum capacity', example: 8 });

export const listRoomsQuery = z.object({
  building: z.string().min(1).optional(),
  floor: z.string().min(1).optional(),
  capacity: minCapacity.optional(),
  amenities: commaList.optional(),
  status: z.enum(ROOM_STATUSES).optional(),
  sort: z
    .enum(['name', 'capacity', 'rating'])
    .default('name')
    .openapi({ description: 'name and capacity ascending, rating best first, unless order says otherwise' }),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const roomPageSchema = z
  .object({ items: z.array(roomSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('RoomPage');

/** An instant with its zone: Z or an offset. A zone-less local time is ambiguous and refused. */
export const instantSchema = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO-8601 date-time with Z or an offset, e.g. 2026-12-01T09:00:00Z' })
  .openapi({ example: '2026-12-01T09:00:00Z' });

export const windowQuery = z.object({ from: instantSchema, to: instantSchema });

export const availabilitySchema = z
  .object({
    roomId: z.string().uuid(),
    timezone: z.string(),
    slotGranularitySeconds: z.number().int(),
    bufferSeconds: z.number().int(),
    roomStatus: z.enum(ROOM_STATUSES),
    from: z.string().datetime(),
    to: z.string().datetime(),
    busy: z.array(
      z.object({ start: z.string().datetime(), end: z.string().datetime(), status: z.enum(BOOKING_STATUSES) }),
    ),
    outages: z
      .array(z.object({ start: z.string().datetime(), end: z.string().datetime() }))
      .openapi({ description: 'Room outages in the window (an open-ended one clipped to it): never free' }),
    free: z.array(z.object({ start: z.string().datetime(), end: z.string().datetime() })),
  })
  .openapi('RoomAvailability');

export const searchQuery = z.object({
  from: instantSchema,
  to: instantSchema,
  capacity: minCapacity.optional(),
  amenities: commaList.optional(),
  building: z.string().min(1).optional(),
  floor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const searchResultSchema = z
  .object({
    from: z.string().datetime(),
    to: z.string().datetime(),
    rooms: z.array(
      roomSchema.extend({
        nextBusyAt: z
          .string()
          .datetime()
          .nullable()
          .openapi({ description: 'Start of the next active booking after the window, if any' }),
      }),
    ),
  })
  .openapi('AvailabilitySearch');

export const amenitySchema = z.object({ name: z.string(), label: z.string() }).openapi('Amenity');
export const createAmenitySchema = z
  .object({ name: amenityNameSchema, label: z.string().trim().min(1).max(80).optional() })
  .strict()
  .openapi('CreateAmenity');
