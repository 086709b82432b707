import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { storedPolicy } from '../../domain/room-policy';
import { AmenitySchema, BookingSchema, RoomSchema, type RoomEntity } from '../../entities';
import type { RoomPolicy, RoomStatus } from '../../shared/booking';
import { ACTIVE_STATUSES_SQL } from '../../shared/booking-lifecycle';
import { entityColumns } from '../queryable';

export type { EquipmentStatus } from '../../entities';

/** A room as the API answers it: plain data, times as UTC ISO-8601. */
export interface Room extends Pick<
  RoomEntity,
  'id' | 'name' | 'building' | 'floor' | 'capacity' | 'amenities' | 'equipment' | 'timezone' | 'slug' | 'status'
> {
  policy: RoomPolicy;
  rating: { average: number | null; count: number };
  createdAt: string;
  updatedAt: string;
}

export type RoomFields = Pick<
  Room,
  'name' | 'building' | 'floor' | 'capacity' | 'amenities' | 'equipment' | 'timezone' | 'policy' | 'status'
>;

/** The rooms columns (table alias r) as RoomEntity's properties, for the hand-written catalog SQL. */
export const ROOM_COLUMNS = entityColumns(RoomSchema, 'r');

/** SQL list of the active booking states, for partial-index predicates that must match them literally. */
export const ACTIVE_SQL = ACTIVE_STATUSES_SQL;

/** A room as the API answers it, from its entity or a row read by hand-written SQL. */
export function toRoom(room: RoomEntity): Room {
  return {
    id: room.id,
    name: room.name,
    building: room.building,
    floor: room.floor,
    capacity: room.capacity,
    amenities: room.amenities,
    equipment: room.equipment,
    timezone: room.timezone,
    slug: room.slug,
    policy: storedPolicy(room.policy),
    status: room.status,
    rating: { average: room.ratingAverage === null ? null : Number(room.ratingAverage), count: room.ratingCount },
    createdAt: room.createdAt.toISOString(),
    updatedAt: room.updatedAt.toISOString(),
  };
}

export interface RoomFilters {
  building?: string;
  floor?: string;
  capacity?: number;
  amenities?: string[];
  status?: RoomStatus;
}

/** WHERE clauses for the catalog filters, only for the filters given, so each can use its index. */
export function filterClauses(filters: RoomFilters, params: unknown[]): string[] {
  const where = ['r.deleted_at IS NULL'];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filters.building !== undefined) add((p) => `r.building = ${p}`, filters.building);
  if (filters.floor !== undefined) add((p) => `r.floor = ${p}`, filters.floor);
  if (filters.capacity !== undefined) add((p) => `r.capacity >= ${p}`, filters.capacity);
  if (filters.amenities?.length) add((p) => `r.amenities @> ${p}::text[]`, filters.amenities);
  if (filters.status !== undefined) add((p) => `r.status = ${p}`, filters.status);
  return where;
}

const SORTS = {
  name: { column: 'lower(r.name)', defaultOrder: 'asc' },
  capacity: { column: 'r.capacity', defaultOrder: 'asc' },
  // Best rated first by default; unrated rooms last either way.
  rating: { column: 'r.rating_average', defaultOrder: 'desc' },
} as const;

export type RoomSort = keyof typeof SORTS;

/** Just the written columns: callers pass whole rooms too, and TypeORM refuses a property no column has. */
function roomColumns(f: RoomFields): RoomFields {
  return {
    name: f.name,
    building: f.building,
    floor: f.floor,
    capacity: f.capacity,
    amenities: f.amenities,
    equipment: f.equipment,
    timezone: f.timezone,
    policy: f.policy,
    status: f.status,
  };
}

/** Data access for the room catalog: the one place that writes rooms. */
export class RoomRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

  private get rooms() {
    return this.db.getRepository(RoomSchema);
  }

  /**
   * Hand-written: the filters are the SQL the availability search (room-bookings.ts) shares, and
   * the order is on lower(name) with NULLS LAST.
   */
  async list(
    filters: RoomFilters,
    sort: RoomSort,
    order: 'asc' | 'desc' | undefined,
    page: { limit: number; offset: number },
  ) {
    const params: unknown[] = [];
    const where = filterClauses(filters, params).join(' AND ');
    const { column, defaultOrder } = SORTS[sort];
    const direction = (order ?? defaultOrder).toUpperCase();
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM rooms r WHERE ${where}`, params);
    const rows: RoomEntity[] = await this.db.query(
      `SELECT ${ROOM_COLUMNS} FROM rooms r WHERE ${where}
       ORDER BY ${column} ${direction} NULLS LAST, lower(r.name), r.id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    );
    return { items: rows.map(toRoom), total: total as number, limit: page.limit, offset: page.offset };
  }

  async find(id: string, options: { lock?: boolean } = {}): Promise<Room | undefined> {
    const room = await this.rooms.findOne({
      where: { id, deletedAt: IsNull() },
      ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    return room ? toRoom(room) : undefined;
  }

  async create(fields: RoomFields): Promise<Room> {
    const inserted = await this.rooms.insert(roomColumns(fields));
    return toRoom(await this.rooms.findOneByOrFail({ id: inserted.identifiers[0].id as string }));
  }

  async update(id: string, fields: RoomFields): Promise<Room> {
    await this.rooms.update({ id, deletedAt: IsNull() }, { ...roomColumns(fields), updatedAt: () => 'now()' });
    return toRoom(await this.rooms.findOneByOrFail({ id, deletedAt: IsNull() }));
  }

  /** Active bookings that still occupy the room now or later. */
  async countFutureActiveBookings(id: string): Promise<number> {
    return this.db
      .getRepository(BookingSchema)
      .createQueryBuilder('b')
      .where('b.roomId = :id', { id })
      .andWhere(`b.status IN ${ACTIVE_SQL}`)
      .andWhere('b.occupiedUntil > now()')
      .getCount();
  }

  /**
   * Hides the room and takes it out of service. Bookings keep referencing it (history, reviews),
   * so the row stays; every read treats a deleted room as missing.
   */
  async softDelete(id: string): Promise<void> {
    await this.rooms.update(
      { id, deletedAt: IsNull() },
      { deletedAt: () => 'now()', status: 'out_of_service', updatedAt: () => 'now()' },
    );
  }
}

/** The amenity vocabulary that room amenities and filters must come from. */
export class AmenityRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

  private get amenities() {
    return this.db.getRepository(AmenitySchema);
  }

  async list(): Promise<{ name: string; label: string }[]> {
    const amenities = await this.amenities.find({ select: { name: true, label: true }, order: { name: 'ASC' } });
    return amenities.map(({ name, label }) => ({ name, label }));
  }

  /** The names that are not in the vocabulary, in the order given. */
  async unknown(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const found = await this.amenities.find({ select: { name: true }, where: { name: In([...names]) } });
    const known = new Set(found.map((a) => a.name));
    return names.filter((n) => !known.has(n));
  }

  /** Adds a name; false when it already exists. */
  async add(name: string, label: string): Promise<boolean> {
    const result = await this.amenities
      .createQueryBuilder()
      .insert()
      .values({ name, label })
      .orIgnore()
      .returning(['name'])
      .execute();
    return (result.raw as { name: string }[]).length > 0;
  }
}

/** How a room is named and placed in a booking's mail and invite. */
export interface RoomPlace {
  name: string;
  building: string;
  floor: string;
  timezone: string;
}

/** Also for deleted rooms: a booking's mail still names its room. */
export async function findRoomPlace(
  db: Pick<DataSource | EntityManager, 'getRepository'>,
  roomId: string,
): Promise<RoomPlace | undefined> {
  const room = await db.getRepository(RoomSchema).findOne({
    select: { id: true, name: true, building: true, floor: true, timezone: true },
    where: { id: roomId },
  });
  return room ? { name: room.name, building: room.building, floor: room.floor, timezone: room.timezone } : undefined;
}
