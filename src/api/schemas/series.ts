import { BOOKING_STATUSES } from '../../shared/booking';
import { z } from '../http/openapi';
import { instantSchema } from './bookings';
import { closedObject, emailSchema, timeZoneSchema } from './identity';

const titleSchema = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const attendeesSchema = z.array(emailSchema).max(100, 'at most 100 attendees');

export const createSeriesSchema = closedObject({
  roomId: z.string().uuid('a room id (uuid)'),
  start: instantSchema.openapi({ description: 'Start of the first occurrence, with a zone (Z or an offset)' }),
  end: instantSchema.openapi({ description: 'End of the first occurrence' }),
  timezone: timeZoneSchema.openapi({
    description: 'IANA zone the rule is followed in: 09:00 stays 09:00 local across daylight-saving changes',
    example: 'Europe/Berlin',
  }),
  rrule: z.string().trim().min(1, 'must not be empty').max(500).openapi({
    description:
      'RFC 5545 RRULE: FREQ DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, and COUNT or UNTIL (at most 500 occurrences)',
    example: 'FREQ=WEEKLY;BYDAY=MO;COUNT=20',
  }),
  exdates: z.array(instantSchema).max(500).optional().openapi({ description: 'Occurrence starts to leave out' }),
  title: titleSchema,
  attendees: attendeesSchema.optional(),
  onConflict: z.enum(['fail', 'skip']).default('fail').openapi({
    description:
      'fail: nothing is booked if any occurrence conflicts; skip: the others are booked, the conflicts reported',
  }),
  maxConsecutiveReleases: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(3)
    .openapi({ description: 'Consecutive no-show releases after which the rest of the series is cancelled' }),
}).openapi('CreateSeries');

const occurrenceSchema = z.object({
  occurrenceStart: z
    .string()
    .datetime()
    .openapi({ description: 'The original start (iCalendar RECURRENCE-ID); stays when the occurrence is edited' }),
  start: z.string().datetime(),
  end: z.string().datetime(),
  outcome: z.enum(['booked', 'scheduled', 'conflict', 'missed', 'cancelled', 'refused']).openapi({
    description:
      "booked (see status), scheduled (beyond the room's horizon: booked when it comes within it), conflict (skipped), missed, cancelled before it was booked, " +
      'refused (it came within the horizon when the organizer was at the cap on upcoming bookings; see refusal)',
  }),
  status: z.enum(BOOKING_STATUSES).optional(),
  bookingId: z.string().uuid().optional(),
  conflict: z
    .object({
      conflictingBookingId: z.string().uuid().optional(),
      outageId: z.string().uuid().optional().openapi({ description: 'The room outage in the way (GET /outages/:id)' }),
      start: z.string(),
      end: z.string(),
    })
    .optional(),
  refusal: z.object({ rule: z.string(), limit: z.number().int(), message: z.string() }).optional(),
});

export const seriesSchema = z
  .object({
    id: z.string().uuid(),
    roomId: z.string().uuid(),
    organizerId: z.string().uuid(),
    title: z.string(),
    attendees: z.array(z.string()),
    timezone: z.string(),
    rrule: z.string(),
    exdates: z.array(z.string().datetime()),
    onConflict: z.enum(['fail', 'skip']),
    status: z.enum(['active', 'ended', 'cancelled']),
    statusReason: z.string().optional(),
    maxConsecutiveReleases: z.number().int(),
    consecutiveReleases: z.number().int(),
    splitFrom: z.string().uuid().optional(),
    workflowId: z.string().openapi({ example: 'series:6f1c...' }),
    createdAt: z.string().datetime(),
    occurrences: z.array(occurrenceSchema),
  })
  .openapi('Series');

export const seriesIdParams = z.object({ id: z.string().uuid('a series id (uuid)') });

export const cancelSeriesSchema = closedObject({
  scope: z
    .enum(['one', 'following', 'all'])
    .openapi({ description: 'one occurrence, this and following, or the whole series' }),
  occurrenceStart: instantSchema
    .optional()
    .openapi({ description: 'Which occurrence (its original start); required for one and following' }),
  reason: z.string().trim().min(1).max(500).optional(),
}).openapi('CancelSeries');

export const editSeriesSchema = closedObject({
  scope: z
    .enum(['one', 'following'])
    .openapi({ description: 'one: this occurrence becomes an exception; following: the series is split here' }),
  occurrenceStart: instantSchema.openapi({ description: 'Which occurrence (its original start)' }),
  title: titleSchema.optional(),
  attendees: attendeesSchema.optional(),
  start: instantSchema.optional().openapi({
    description: 'New start of this occurrence; for following, every later one moves by the same local time',
  }),
  end: instantSchema.optional(),
}).openapi('EditSeries');

export const editSeriesResultSchema = z
  .object({ series: seriesSchema, previous: seriesSchema.optional() })
  .openapi('EditSeriesResult');

export type CreateSeriesRequest = z.infer<typeof createSeriesSchema>;
