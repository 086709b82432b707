import { WAITLIST_STATUSES } from '../../domain/waitlist';
import { z } from '../http/openapi';
import { instantSchema } from './bookings';
import { closedObject } from './identity';

const amenitySchema = z.string().trim().min(1).max(80);

export const createWaitlistEntrySchema = closedObject({
  roomId: z
    .string()
    .uuid('a room id (uuid)')
    .optional()
    .openapi({ description: 'Wait for this room (or give building)' }),
  building: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'Wait for any fitting room of this building (or give roomId)', example: 'HQ' }),
  capacity: z.number().int().min(1).max(10_000).optional().openapi({ description: 'At least this many seats' }),
  amenities: z
    .array(amenitySchema)
    .max(50)
    .optional()
    .openapi({ description: 'Every one of these', example: ['screen'] }),
  start: instantSchema,
  end: instantSchema,
})
  .superRefine((body, ctx) => {
    if ((body.roomId === undefined) === (body.building === undefined))
      ctx.addIssue({ code: 'custom', path: ['roomId'], message: 'give exactly one of roomId and building' });
    if (Date.parse(body.end) <= Date.parse(body.start))
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  })
  .openapi('WaitlistEntryCreate');

export const waitlistEntrySchema = z
  .object({
    id: z.string().uuid(),
    userId: z.string().uuid(),
    roomId: z.string().uuid().optional(),
    building: z.string().optional(),
    capacity: z.number().int().optional(),
    amenities: z.array(z.string()),
    start: z.string().datetime(),
    end: z.string().datetime(),
    status: z.enum(WAITLIST_STATUSES).openapi({
      description:
        'waiting → offered (a hold is yours until offer.claimBy) → claimed (you confirmed it); expired (unclaimed); cancelled',
    }),
    offer: z
      .object({
        bookingId: z.string().uuid().openapi({ description: 'The held booking: POST /bookings/{id}/confirm takes it' }),
        roomId: z.string().uuid(),
        claimBy: z.string().datetime().optional().openapi({ description: "The hold's holdExpiresAt" }),
      })
      .optional(),
    createdAt: z.string().datetime(),
  })
  .openapi('WaitlistEntry');

export const waitlistEntryListSchema = z.object({ items: z.array(waitlistEntrySchema) }).openapi('WaitlistEntryList');
export const waitlistEntryIdParams = z.object({ id: z.string().uuid('a waitlist entry id (uuid)') });
