// The realtime payloads as zod schemas: they validate what clients send (socket-server.ts) and
// describe every event in the AsyncAPI document (asyncapi.ts). Type checks below tie the
// server → client schemas to the TypeScript types the publishers use, so the two cannot drift.
import { bookingSchema } from '../api/schemas/bookings';
import { roomBookingSchema, roomStatusSchema } from '../api/schemas/room-status';
import { z } from '../api/http/openapi';
import type { ReviewPendingPayload } from '../reviews/moderation-alerts';
import { BOOKING_EVENT_KINDS } from '../shared/booking-messages';
import { waitlistEntrySchema } from '../api/schemas/waitlist';
import { ticketSchema } from '../api/schemas/tickets';
import type { BookingEventPayload, RoomStatusPayload, TicketEventPayload, WaitlistOfferPayload } from './events';

/** Client → server. */
export const roomIdPayloadSchema = z
  .object({ roomId: z.string().uuid('a room id (uuid)') })
  .strict()
  .openapi('RoomIdPayload');
export const refreshPayloadSchema = z
  .object({ token: z.string().min(1, 'a token') })
  .strict()
  .openapi('AuthRefreshPayload');

const envelope = {
  eventId: z.string().openapi({ description: 'Stable across retries of the publisher: drop a repeat' }),
  version: z
    .number()
    .int()
    .openapi({ description: 'Grows with each change (per booking, or per room for room.status)' }),
  timestamp: z.string().datetime().openapi({ description: 'When the worker published it' }),
};

export const bookingEventPayloadSchema = z
  .object({
    ...envelope,
    kind: z.enum(BOOKING_EVENT_KINDS),
    roomId: z.string().uuid(),
    booking: z
      .union([roomBookingSchema, bookingSchema])
      .openapi({ description: "RoomBooking on a room channel; the whole Booking on the organizer's own connections" }),
  })
  .openapi('BookingEventPayload');

export const roomStatusPayloadSchema = roomStatusSchema.extend(envelope).openapi('RoomStatusPayload');

export const reviewPendingPayloadSchema = z
  .object({
    ...envelope,
    reviewId: z.string().uuid(),
    roomId: z.string().uuid(),
    roomName: z.string(),
    bookingId: z.string().uuid(),
    rating: z.number().int().min(1).max(5),
    comment: z.string(),
    screeningFlags: z.array(z.string()),
    createdAt: z.string().datetime(),
  })
  .openapi('ReviewPendingPayload');

export const waitlistOfferPayloadSchema = z
  .object({
    ...envelope,
    entry: waitlistEntrySchema.openapi({
      description:
        'The entry, status offered, with offer {bookingId, roomId, claimBy}: POST /bookings/{bookingId}/confirm takes it',
    }),
  })
  .openapi('WaitlistOfferPayload');
export const ticketEventPayloadSchema = z
  .object({ ...envelope, roomId: z.string().uuid(), ticket: ticketSchema })
  .openapi('TicketEventPayload');

export const authExpiringPayloadSchema = z.object({ expiresAt: z.string().datetime() }).openapi('AuthExpiringPayload');
export const authExpiredPayloadSchema = z.object({ message: z.string() }).openapi('AuthExpiredPayload');
export const clientErrorPayloadSchema = z
  .object({ event: z.string(), code: z.string().openapi({ example: 'VALIDATION_FAILED' }), message: z.string() })
  .openapi('ClientErrorPayload');

const ackError = z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) });
export const subscribeAckSchema = z
  .union([z.object({ ok: z.literal(true), roomId: z.string().uuid(), status: roomStatusSchema }), ackError])
  .openapi('SubscribeAck');
export const unsubscribeAckSchema = z
  .union([z.object({ ok: z.literal(true), roomId: z.string().uuid() }), ackError])
  .openapi('UnsubscribeAck');
export const refreshAckSchema = z
  .union([z.object({ ok: z.literal(true), expiresAt: z.string().datetime().nullable() }), ackError])
  .openapi('AuthRefreshAck');

// Each schema describes exactly the type its publisher uses (both directions assignable).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [
  Same<z.infer<typeof bookingEventPayloadSchema>, BookingEventPayload>,
  Same<z.infer<typeof roomStatusPayloadSchema>, RoomStatusPayload>,
  Same<z.infer<typeof reviewPendingPayloadSchema>, ReviewPendingPayload>,
  Same<z.infer<typeof waitlistOfferPayloadSchema>, WaitlistOfferPayload>,
  Same<z.infer<typeof ticketEventPayloadSchema>, TicketEventPayload>,
] = [true, true, true, true, true];
void sameShapes;
