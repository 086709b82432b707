import { z } from '../http/openapi';
import { instantSchema } from './bookings';
import { closedObject } from './identity';

export const createOutageSchema = closedObject({
  from: instantSchema.openapi({ description: 'When the room goes out of service; a time already past means now' }),
  until: instantSchema.optional().openapi({
    description: 'When it comes back; absent: until POST /outages/:id/end (or the blocking ticket is resolved)',
  }),
  reason: z.string().trim().min(1, 'must not be empty').max(500, 'at most 500 characters'),
}).openapi('CreateOutage');

export const outageIdParams = z.object({ id: z.string().uuid('an outage id (uuid)') });

export const relocationSchema = z
  .object({
    bookingId: z.string().uuid(),
    outcome: z.enum(['pending', 'moved', 'cancelled']).openapi({
      description:
        'pending: not handled yet; moved: to toRoomId, same times; cancelled: nothing fitted (reason says why)',
    }),
    toRoomId: z.string().uuid().optional(),
    reason: z.string().optional(),
  })
  .openapi('Relocation');

export const outageSchema = z
  .object({
    id: z.string().uuid(),
    roomId: z.string().uuid(),
    from: z.string().datetime(),
    until: z.string().datetime().optional().openapi({ description: 'The planned end; absent: open-ended' }),
    reason: z.string(),
    ticketId: z.string().uuid().optional().openapi({ description: 'The blocking ticket that opened it' }),
    status: z.enum(['scheduled', 'active', 'ended']),
    endedAt: z.string().datetime().optional().openapi({ description: 'When it was ended (early, or at its until)' }),
    relocations: z.array(relocationSchema).openapi({ description: 'Every booking it displaced, in start order' }),
    createdAt: z.string().datetime(),
  })
  .openapi('Outage');

export const outageListSchema = z.object({ outages: z.array(outageSchema) }).openapi('OutageList');
