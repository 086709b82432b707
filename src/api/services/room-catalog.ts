import type { DataSource } from 'typeorm';
import {
  AmenityRepository,
  RoomRepository,
  type Room,
  type RoomFields,
  type RoomFilters,
  type RoomSort,
} from '../../db/repositories/rooms';
import { faultyEquipment } from '../../db/repositories/tickets';
import { roomsOutOfServiceAt } from '../../db/repositories/outages';
import { publishRoomStatus } from '../../realtime/publisher';
import { invalidateRoomAvailability } from '../../infra/availability-cache';
import type { Redis } from '../../infra/redis';
import type { RoomPolicy } from '../../shared/booking';
import { AppError, badRequest, conflict, notFound } from '../../domain/errors';
import { mergePolicy, policyProblems } from '../../domain/room-policy';
import { equipmentWithReportedFaults } from '../../domain/room-equipment';
import { equipmentStatusFor } from '../../shared/ticket-lifecycle';

export interface CatalogDeps {
  dataSource: DataSource;
  redis: Redis;
}

type Where = 'body' | 'query';

function invalid(where: Where, problems: { field: string; message: string }[]): AppError {
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return badRequest(`Invalid ${where === 'body' ? 'request body' : 'query parameters'}: ${summary}`, {
    fields: problems.map((p) => ({ in: where, ...p })),
  });
}

/** 400 naming `amenities` when any name is outside the vocabulary. */
export async function assertKnownAmenities(
  dataSource: DataSource,
  names: readonly string[] | undefined,
  where: Where,
): Promise<void> {
  const unknown = await new AmenityRepository(dataSource).unknown(names ?? []);
  if (unknown.length > 0) {
    throw invalid(where, [
      {
        field: 'amenities',
        message: `unknown amenity ${unknown.map((n) => `"${n}"`).join(', ')}; see GET /api/v1/amenities`,
      },
    ]);
  }
}

function assertPolicy(policy: RoomPolicy): void {
  const problems = policyProblems(policy);
  if (problems.length > 0) throw invalid('body', problems);
}

function nameTaken(err: unknown, fields: Pick<RoomFields, 'name' | 'building'>): never {
  if ((err as { code?: string }).code === '23505') {
    throw conflict('ROOM_NAME_TAKEN', `Building "${fields.building}" already has a room named "${fields.name}".`);
  }
  throw err;
}

export async function listRooms(
  deps: CatalogDeps,
  filters: RoomFilters,
  sort: RoomSort,
  order: 'asc' | 'desc' | undefined,
  page: { limit: number; offset: number },
) {
  await assertKnownAmenities(deps.dataSource, filters.amenities, 'query');
  const listed = await new RoomRepository(deps.dataSource).list(filters, sort, order, page);
  return {
    ...listed,
    items: await withOutages(deps.dataSource, await withReportedFaults(deps.dataSource, listed.items)),
  };
}

/**
 * Rooms as they read now: out_of_service while an outage covers this instant. Only the answer
 * changes, never the row: the room's own status is what staff set, and booking rules read that
 * (an outage refuses its own window, at the bookings guard, not the room's whole future).
 */
async function withOutages(db: CatalogDeps['dataSource'], rooms: Room[]): Promise<Room[]> {
  const out = await roomsOutOfServiceAt(
    db,
    rooms.filter((room) => room.status === 'active').map((room) => room.id),
    new Date(),
  );
  return out.size === 0
    ? rooms
    : rooms.map((room) => (out.has(room.id) ? { ...room, status: 'out_of_service' } : room));
}

/** Rooms as they read: equipment named by an active ticket shows degraded (broken for a blocking one). */
async function withReportedFaults(db: CatalogDeps['dataSource'], rooms: Room[]): Promise<Room[]> {
  const faults = await faultyEquipment(
    db,
    rooms.filter((room) => room.equipment.length > 0).map((room) => room.id),
  );
  if (faults.length === 0) return rooms;
  return rooms.map((room) => {
    const reported = new Map(
      faults.filter((f) => f.room_id === room.id).map((f) => [f.equipment, equipmentStatusFor(f.severity)] as const),
    );
    return reported.size === 0 ? room : { ...room, equipment: equipmentWithReportedFaults(room.equipment, reported) };
  });
}

export async function getRoom(deps: Pick<CatalogDeps, 'dataSource'>, id: string): Promise<Room> {
  const room = await new RoomRepository(deps.dataSource).find(id);
  if (!room) throw notFound('Room');
  return room;
}

/** GET /rooms/:id: the room as people read it, reported equipment faults included. */
export async function readRoom(deps: Pick<CatalogDeps, 'dataSource'>, id: string): Promise<Room> {
  const [read] = await withOutages(
    deps.dataSource,
    await withReportedFaults(deps.dataSource, [await getRoom(deps, id)]),
  );
  return read;
}

export async function createRoom(
  deps: CatalogDeps,
  input: Omit<RoomFields, 'policy'> & { policy?: Partial<RoomPolicy> },
): Promise<Room> {
  await assertKnownAmenities(deps.dataSource, input.amenities, 'body');
  const policy = mergePolicy(input.policy);
  assertPolicy(policy);
  const room = await new RoomRepository(deps.dataSource)
    .create({ ...input, policy })
    .catch((err) => nameTaken(err, input));
  // A new room can answer searches that were cached without it.
  await invalidateRoomAvailability(deps.redis, room.id);
  return room;
}

export async function updateRoom(
  deps: CatalogDeps,
  id: string,
  patch: Partial<Omit<RoomFields, 'policy'>> & { policy?: Partial<RoomPolicy> },
): Promise<Room> {
  await assertKnownAmenities(deps.dataSource, patch.amenities, 'body');
  const updated = await deps.dataSource.transaction(async (tx) => {
    const rooms = new RoomRepository(tx);
    const current = await rooms.find(id, { lock: true });
    if (!current) throw notFound('Room');
    const policy = mergePolicy(patch.policy, current.policy);
    assertPolicy(policy);
    const fields: RoomFields = { ...current, ...patch, policy };
    return rooms.update(id, fields).catch((err) => nameTaken(err, fields));
  });
  // Buffer, grid, status and catalog fields all change availability answers.
  await invalidateRoomAvailability(deps.redis, id);
  if (patch.status !== undefined) {
    // The door display learns at once that its room went out of (or back into) service.
    // A Redis outage must not fail the room change: displays re-read the status when they reconnect.
    await publishRoomStatus(deps, id).catch(() => undefined);
  }
  return updated;
}

/**
 * Refused while active bookings still occupy the room now or later: those people would lose their
 * room silently. Taking it out of service is the way; delete once they are over or cancelled.
 */
export async function deleteRoom(deps: CatalogDeps, id: string): Promise<void> {
  await deps.dataSource.transaction(async (tx) => {
    const rooms = new RoomRepository(tx);
    // FOR UPDATE conflicts with the key-share lock a booking insert takes on its room: no booking
    // can slip in between the count and the delete.
    const room = await rooms.find(id, { lock: true });
    if (!room) throw notFound('Room');
    const future = await rooms.countFutureActiveBookings(id);
    if (future > 0) {
      throw conflict(
        'ROOM_HAS_BOOKINGS',
        `The room has ${future} future active booking${future === 1 ? '' : 's'}; cancel ${future === 1 ? 'it' : 'them'} or set status "out_of_service" instead.`,
        { futureActiveBookings: future },
      );
    }
    await rooms.softDelete(id);
  });
  await invalidateRoomAvailability(deps.redis, id);
}

export async function addAmenity(deps: Pick<CatalogDeps, 'dataSource'>, name: string, label: string | undefined) {
  const fallbackLabel = name.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
  const added = await new AmenityRepository(deps.dataSource).add(name, label ?? fallbackLabel);
  if (!added) throw conflict('AMENITY_EXISTS', `The amenity "${name}" already exists.`);
  return { name, label: label ?? fallbackLabel };
}
