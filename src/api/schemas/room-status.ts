import { ROOM_DISPLAY_STATUSES } from '../../domain/room-status';
import { z } from '../http/openapi';
import { bookingStatusSchema } from './bookings';
import { closedObject } from './identity';

export const roomBookingSchema = z
  .object({
    id: z.string().uuid(),
    title: z.string(),
    organizer: z.object({ id: z.string().uuid(), name: z.string() }),
    start: z.string().datetime(),
    end: z.string().datetime(),
    status: bookingStatusSchema,
    checkInOpensAt: z.string().datetime().optional(),
    checkInDeadline: z.string().datetime().optional(),
    checkedInAt: z.string().datetime().optional(),
    version: z.number().int(),
  })
  .openapi('RoomBooking', { description: 'A booking as anyone who may look at the room sees it (no attendees)' });

export const roomStatusSchema = z
  .object({
    roomId: z.string().uuid(),
    room: z.object({
      name: z.string(),
      timezone: z.string(),
      requiresCheckIn: z.boolean(),
      slotGranularitySeconds: z.number().int(),
    }),
    status: z.enum(ROOM_DISPLAY_STATUSES),
    current: roomBookingSchema
      .optional()
      .openapi({ description: 'The booking occupying the room now, or whose check-in window is open' }),
    next: roomBookingSchema.optional(),
    today: z
      .array(roomBookingSchema)
      .openapi({ description: "The rest of today's bookings (room's local day), after the current one" }),
    freeUntil: z.string().datetime().nullable().optional().openapi({
      description: 'When free: the latest end for a booking made now (null: free for the rest of the bookings horizon)',
    }),
    at: z.string().datetime(),
    version: z
      .number()
      .int()
      .openapi({ description: 'Version of the last room.status event: apply only events with a higher version' }),
  })
  .openapi('RoomStatus');

export const WALK_UP_MINUTES = [15, 30, 60] as const;

export const walkUpBody = closedObject({
  minutes: z
    .number()
    .int()
    .refine((m) => (WALK_UP_MINUTES as readonly number[]).includes(m), 'one of 15, 30, 60')
    .openapi({ enum: [...WALK_UP_MINUTES] }),
  title: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').optional(),
}).openapi('WalkUpRequest');
