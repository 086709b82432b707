import type { DataSource } from 'typeorm';
import { RoomBookingsReader } from '../../db/repositories/room-bookings';
import type { Room, RoomFilters } from '../../db/repositories/rooms';
import { cachedAvailabilitySearch, cachedRoomAvailability, type CacheOutcome } from '../../infra/availability-cache';
import type { Redis } from '../../infra/redis';
import type { BookingStatus } from '../../shared/booking';
import { freeSpans, type Span } from '../../domain/availability';
import { assertKnownAmenities, getRoom } from './room-catalog';

export interface AvailabilityDeps {
  dataSource: DataSource;
  redis: Redis;
}

export interface RoomAvailability {
  roomId: string;
  timezone: string;
  slotGranularitySeconds: number;
  bufferSeconds: number;
  roomStatus: Room['status'];
  from: string;
  to: string;
  busy: { start: string; end: string; status: BookingStatus }[];
  /** Room outages in the window (clipped to it when open-ended): no free time there. */
  outages: { start: string; end: string }[];
  free: { start: string; end: string }[];
}

const iso = (ms: number | Date) => new Date(ms).toISOString();

/**
 * Busy intervals (active bookings in the window) and free intervals on the room's slot grid,
 * honouring the buffer: a free interval is where a booking fits whole, buffer included. A room
 * out of service has no free time.
 */
export async function roomAvailability(
  deps: AvailabilityDeps,
  roomId: string,
  window: Span,
): Promise<{ value: RoomAvailability; cache: CacheOutcome }> {
  // The room is read outside the cache: a deleted room must be a 404 at once.
  const room = await getRoom(deps, roomId);
  return cachedRoomAvailability(deps.redis, roomId, { window, updatedAt: room.updatedAt }, async () => {
    const { bufferSeconds, slotGranularitySeconds } = room.policy;
    const reader = new RoomBookingsReader(deps.dataSource);
    const bookings = await reader.occupying(roomId, new Date(window.start), new Date(window.end), bufferSeconds);
    // An outage's window takes the room as a booking would (without a buffer of its own).
    const outages = await reader.outages(roomId, new Date(window.start), new Date(window.end));
    const free =
      room.status === 'active'
        ? freeSpans(
            window,
            [
              ...bookings.map((b) => ({ start: b.start.getTime(), occupiedUntil: b.occupiedUntil.getTime() })),
              ...outages.map((o) => ({ start: o.start.getTime(), occupiedUntil: o.end.getTime() })),
            ],
            {
              zone: room.timezone,
              granularitySeconds: slotGranularitySeconds,
              bufferSeconds,
            },
          )
        : [];
    return {
      roomId,
      timezone: room.timezone,
      slotGranularitySeconds,
      bufferSeconds,
      roomStatus: room.status,
      from: iso(window.start),
      to: iso(window.end),
      busy: bookings
        .filter((b) => b.start.getTime() < window.end && b.end.getTime() > window.start)
        .map((b) => ({ start: iso(b.start), end: iso(b.end), status: b.status })),
      outages: outages.map((o) => ({ start: iso(o.start), end: iso(o.end) })),
      free: free.map((s) => ({ start: iso(s.start), end: iso(s.end) })),
    };
  });
}

/** Rooms free for the whole window, best fit first, each with its next busy time. */
export async function searchAvailability(
  deps: AvailabilityDeps,
  window: Span,
  filters: Omit<RoomFilters, 'status'>,
  limit: number,
) {
  await assertKnownAmenities(deps.dataSource, filters.amenities, 'query');
  const request = {
    window,
    filters: { ...filters, amenities: filters.amenities ? [...filters.amenities].sort() : undefined },
    limit,
  };
  return cachedAvailabilitySearch(deps.redis, request, async () => ({
    from: iso(window.start),
    to: iso(window.end),
    rooms: await new RoomBookingsReader(deps.dataSource).freeRooms(
      filters,
      new Date(window.start),
      new Date(window.end),
      limit,
    ),
  }));
}
