import { BOOKING_STATUSES } from '../../shared/booking';
import { BOOKING_SOURCES } from '../../shared/booking-messages';
import { z } from '../http/openapi';
import { closedObject, emailSchema } from './identity';

/** An instant with an explicit zone (Z or ±hh:mm): a zone-less time means different things to different people. */
export const instantSchema = z
  .string()
  .datetime({ offset: true, message: 'an ISO-8601 date-time with a zone, e.g. 2026-12-01T09:00:00Z' })
  .openapi({ example: '2026-12-01T09:00:00Z' });

const titleSchema = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const attendeesSchema = z.array(emailSchema).max(100, 'at most 100 attendees');

export const bookingStatusSchema = z.enum(BOOKING_STATUSES);

export const bookingSchema = z
  .object({
    id: z.string().uuid(),
    roomId: z.string().uuid(),
    organizerId: z.string().uuid(),
    seriesId: z.string().uuid().optional(),
    title: z.string(),
    attendees: z.array(z.string()),
    start: z.string().datetime(),
    end: z.string().datetime(),
    status: bookingStatusSchema,
    statusReason: z.string().optional(),
    holdExpiresAt: z.string().datetime().optional(),
    checkInOpensAt: z.string().datetime().optional(),
    checkInDeadline: z.string().datetime().optional(),
    checkedInAt: z.string().datetime().optional(),
    workflowId: z.string().openapi({ example: 'booking:6f1c...:2026-12-01T09:00:00Z' }),
    version: z.number().int(),
    sequence: z
      .number()
      .int()
      .openapi({ description: 'iCalendar SEQUENCE: grows with each change attendees should see' }),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    source: z.enum(BOOKING_SOURCES).openapi({
      description: "How it was made: imip when someone invited the room's mailbox from a calendar, api otherwise",
    }),
    icalUid: z
      .string()
      .optional()
      .openapi({ description: "The invite's UID (source imip only): later invites with this UID move or cancel it" }),
  })
  .openapi('Booking');

export const createBookingSchema = closedObject({
  roomId: z.string().uuid('a room id (uuid)'),
  start: instantSchema,
  end: instantSchema,
  title: titleSchema,
  attendees: attendeesSchema.optional(),
  mode: z.enum(['book', 'hold']).optional().openapi({
    description:
      'book (default): confirmed or pending approval at once; hold: held until confirmed or holdTtlSeconds pass',
  }),
}).openapi('CreateBooking');

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(8)
    .max(128)
    .optional()
    .openapi({ description: 'The same key and body return the same booking instead of a second one' }),
});

export const bookingIdParams = z.object({ id: z.string().uuid('a booking id (uuid)') });

export const listBookingsQuery = z.object({
  scope: z
    .enum(['mine', 'all'])
    .default('mine')
    .openapi({ description: 'mine: bookings you organize or attend; all: every booking (facility managers, admins)' }),
  roomId: z.string().uuid().optional(),
  seriesId: z.string().uuid().optional().openapi({ description: 'only the occurrences of this recurring series' }),
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  status: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined;
      const statuses = value.split(',').map((s) => s.trim());
      const unknown = statuses.filter((s) => !(BOOKING_STATUSES as readonly string[]).includes(s));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          message: `unknown status ${unknown.join(', ')}; one of ${BOOKING_STATUSES.join(', ')}`,
        });
      return statuses as (typeof BOOKING_STATUSES)[number][];
    })
    .openapi({ description: 'comma-separated statuses', example: 'confirmed,checked_in' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const bookingPageSchema = z
  .object({ items: z.array(bookingSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('BookingPage');

export const reasonBodySchema = closedObject({
  reason: z.string().trim().min(1).max(500, 'at most 500 characters').optional(),
});
export const extendBodySchema = closedObject({ end: instantSchema });
export const changeBookingSchema = closedObject({
  /** Another room: the booking moves there (same id; its slot's workflow hands it on). */
  roomId: z
    .string()
    .uuid('a room id (uuid)')
    .optional()
    .openapi({ description: 'Move the booking to another room (with start/end, or at the same times).' }),
  title: titleSchema.optional(),
  attendees: attendeesSchema.optional(),
  start: instantSchema.optional(),
  end: instantSchema.optional(),
}).openapi('ChangeBooking');

export const timelineSchema = z
  .object({
    bookingId: z.string().uuid(),
    events: z.array(
      z.object({ at: z.string(), workflowId: z.string(), what: z.string(), detail: z.string().optional() }),
    ),
  })
  .openapi('BookingTimeline');
