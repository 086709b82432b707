import { Emitter } from '@socket.io/redis-emitter';
import type { DataSource, EntityManager } from 'typeorm';
import { roomStatusAt, type RoomBooking } from '../domain/room-status';
import { loadRoomStatusInputs, nextRoomStatusVersion } from '../db/repositories/room-status';
import { findUserDisplayName } from '../db/repositories/users';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';
import type { BookingEvent, BookingView } from '../shared/booking-messages';
import {
  bookingEventId,
  relayedEventsFor,
  roomChannel,
  roomStatusEventId,
  ServerEvents,
  userChannel,
  type BookingEventPayload,
  type RoomStatusPayload,
  type ServerToClientEvents,
  type TicketEventPayload,
} from './events';

export interface PublisherDeps {
  dataSource: DataSource;
  redis: Redis;
  logger: Logger;
}

/**
 * The emitter publishes without waiting for Redis; this client records each PUBLISH so the
 * activity can wait for all of them and fail (and be retried) when Redis did not take one.
 */
class AwaitedPublisher {
  private readonly pending: Promise<unknown>[] = [];
  constructor(private readonly redis: Redis) {}

  publish(channel: string, message: Buffer | string): Promise<number> {
    const sent = this.redis.publish(channel, message);
    this.pending.push(sent);
    return sent;
  }

  async flush(): Promise<void> {
    await Promise.all(this.pending.splice(0));
  }
}

/** The instant a timer boundary stands for: the worker's clock may lag the Temporal server's a little. */
function boundaryOf(event: BookingEvent): number {
  if (event.kind === 'check_in_opened' && event.booking.checkInOpensAt) return Date.parse(event.booking.checkInOpensAt);
  if (event.kind === 'meeting_started') return Date.parse(event.booking.start);
  return 0;
}

/**
 * `publishBookingEvent` for the worker's activities: relays a workflow's booking event to
 * Socket.IO clients through Redis (the booking events, then the room's recomputed status).
 * Runs inside a transaction that bumps the room's status version first: that row lock
 * serializes publishers of one room across workers, so versions and Redis order agree.
 */
export function createBookingEventPublisher(deps: PublisherDeps): (event: BookingEvent) => Promise<void> {
  return async (event) => {
    const relayed = relayedEventsFor(event.kind);
    if (!relayed) return;
    const { booking } = event;
    const at = Math.max(Date.now(), boundaryOf(event));
    await deps.dataSource.transaction(async (tx) => {
      const version = await nextRoomStatusVersion(tx, booking.roomId);
      // Read after taking the lock: everything the previous holder saw is visible to this read too.
      const fresh = await loadRoomStatusInputs(tx, booking.roomId, at);
      const publisher = new AwaitedPublisher(deps.redis);
      const emitter = new Emitter<ServerToClientEvents>(publisher);
      const timestamp = new Date().toISOString();
      const organizerName =
        fresh?.bookings.find((b) => b.id === booking.id)?.organizer.name ??
        (await organizerNameOf(tx, booking.organizerId));

      for (const name of relayed) {
        const envelope = {
          eventId: bookingEventId(booking.workflowId, booking.version, event.kind, name),
          version: booking.version,
          timestamp,
          kind: event.kind,
          roomId: booking.roomId,
        };
        const personal: BookingEventPayload = { ...envelope, booking: personalView(booking) };
        const shared: BookingEventPayload = { ...envelope, booking: roomView(booking, organizerName) };
        // Each socket hears an event once: the organizer's connections get the whole booking, everyone else in the room the room's view.
        emitter.to(userChannel(booking.organizerId)).emit(name, personal);
        emitter.to(roomChannel(booking.roomId)).except(userChannel(booking.organizerId)).emit(name, shared);
      }
      if (fresh) {
        const status: RoomStatusPayload = {
          eventId: roomStatusEventId(booking.roomId, version),
          version,
          timestamp,
          ...roomStatusAt(fresh.room, fresh.bookings, at),
        };
        emitter.to(roomChannel(booking.roomId)).emit(ServerEvents.roomStatus, status);
      }
      await publisher.flush();
      deps.logger.debug(
        { kind: event.kind, bookingId: booking.id, roomStatusVersion: version },
        'booking event published',
      );
    });
    // A move from another room: that room's displays must see the slot free. Its own transaction,
    // so two rooms' locks are never held at once (no lock-order deadlock between publishers).
    if (event.previous && event.previous.roomId !== booking.roomId)
      await publishRoomStatus(deps, event.previous.roomId);
  };
}

/**
 * Pushes a room's recomputed status on its own (no booking changed): e.g. a facility manager
 * took the room out of service. Same versioning and ordering as the booking events.
 */
export async function publishRoomStatus(
  deps: Pick<PublisherDeps, 'dataSource' | 'redis'>,
  roomId: string,
): Promise<void> {
  const at = Date.now();
  await deps.dataSource.transaction(async (tx) => {
    const version = await nextRoomStatusVersion(tx, roomId);
    const fresh = await loadRoomStatusInputs(tx, roomId, at);
    if (!fresh) return;
    const publisher = new AwaitedPublisher(deps.redis);
    const status: RoomStatusPayload = {
      eventId: roomStatusEventId(roomId, version),
      version,
      timestamp: new Date().toISOString(),
      ...roomStatusAt(fresh.room, fresh.bookings, at),
    };
    new Emitter<ServerToClientEvents>(publisher).to(roomChannel(roomId)).emit(ServerEvents.roomStatus, status);
    await publisher.flush();
  });
}

// On the transaction's own connection: a second pooled connection taken while this one holds the
// room's lock starves the pool once as many publishers run as it has connections (a deadlock until
// the pool's connect timeout).
function organizerNameOf(db: Pick<EntityManager, 'query'>, userId: string): Promise<string> {
  return findUserDisplayName(db, userId);
}

function personalView(booking: BookingView): BookingView {
  const { runId: _runId, ...rest } = booking as BookingView & { runId?: string };
  return rest;
}

function roomView(b: BookingView, organizerName: string): RoomBooking {
  return {
    id: b.id,
    title: b.title,
    organizer: { id: b.organizerId, name: organizerName },
    start: b.start,
    end: b.end,
    status: b.status,
    ...(b.checkInOpensAt ? { checkInOpensAt: b.checkInOpensAt } : {}),
    ...(b.checkInDeadline ? { checkInDeadline: b.checkInDeadline } : {}),
    ...(b.checkedInAt ? { checkedInAt: b.checkedInAt } : {}),
    version: b.version,
  };
}

/**
 * ticket.updated to staff (each one's own connections) and to the ticket's room (its display and
 * whoever follows it). Socket.IO delivers a socket in both channels the event once.
 */
export async function publishTicketUpdated(
  deps: Pick<PublisherDeps, 'redis'>,
  payload: TicketEventPayload,
  staffIds: readonly string[],
): Promise<void> {
  const publisher = new AwaitedPublisher(deps.redis);
  new Emitter<ServerToClientEvents>(publisher)
    .to([roomChannel(payload.roomId), ...staffIds.map(userChannel)])
    .emit(ServerEvents.ticketUpdated, payload);
  await publisher.flush();
}
