import type { DataSource, EntityManager } from 'typeorm';
import { storedPolicy } from '../../domain/room-policy';
import type { RoomPolicy, RoomStatus } from '../../shared/booking';
import { ACTIVE_STATUSES_SQL } from '../../shared/booking-lifecycle';

export type EquipmentStatus = 'ok' | 'degraded' | 'broken';

/** A room as the API answers it: plain data, times as UTC ISO-8601. */
export interface Room {
  id: string;
  name: string;
  building: string;
  floor: string;
  capacity: number;
  amenities: string[];
  equipment: { name: string; status: EquipmentStatus }[];
  timezone: string;
  policy: RoomPolicy;
  status: RoomStatus;
  rating: { average: number | null; count: number };
  createdAt: string;
  updatedAt: string;
}

export interface RoomRow {
  id: string;
  name: string;
  building: string;
  floor: string;
  capacity: number;
  amenities: string[];
  equipment: { name: string; status: EquipmentStatus }[];
  timezone: string;
  policy: unknown;
  status: RoomStatus;
  rating_average: string | null;
  rating_count: number;
  created_at: Date;
  updated_at: Date;
}

export type RoomFields = Pick<
  Room,
  'name' | 'building' | 'floor' | 'capacity' | 'amenities' | 'equipment' | 'timezone' | 'policy' | 'status'
>;

export const ROOM_COLUMNS = `r.id, r.name, r.building, r.floor, r.capacity, r.amenities, r.equipment, r.timezone, r.policy,
  r.status, r.rating_average, r.rating_count, r.created_at, r.updated_at`;

/** SQL list of the active booking states, for partial-index predicates that must match them literally. */
export const ACTIVE_SQL = ACTIVE_STATUSES_SQL;

export function toRoom(row: RoomRow): Room {
  return {
    id: row.id,
    name: row.name,
    building: row.building,
    floor: row.floor,
    capacity: row.capacity,
    amenities: row.amenities,
    equipment: row.equipment,
    timezone: row.timezone,
    policy: storedPolicy(row.policy),
    status: row.status,
    rating: { average: row.rating_average === null ? null : Number(row.rating_average), count: row.rating_count },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
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

/** Data access for the room catalog: the one place that writes rooms. */
export class RoomRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

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
    const rows: RoomRow[] = await this.db.query(
      `SELECT ${ROOM_COLUMNS} FROM rooms r WHERE ${where}
       ORDER BY ${column} ${direction} NULLS LAST, lower(r.name), r.id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    );
    return { items: rows.map(toRoom), total: total as number, limit: page.limit, offset: page.offset };
  }

  async find(id: string, options: { lock?: boolean } = {}): Promise<Room | undefined> {
    const rows: RoomRow[] = await this.db.query(
      `SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.id = $1 AND r.deleted_at IS NULL${options.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] && toRoom(rows[0]);
  }

  async create(fields: RoomFields): Promise<Room> {
    const [row]: RoomRow[] = await this.db.query(
      `INSERT INTO rooms AS r (name, building, floor, capacity, amenities, equipment, timezone, policy, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${ROOM_COLUMNS}`,
      [
        fields.name,
        fields.building,
        fields.floor,
        fields.capacity,
        fields.amenities,
        JSON.stringify(fields.equipment),
        fields.timezone,
        JSON.stringify(fields.policy),
        fields.status,
      ],
    );
    return toRoom(row);
  }

  async update(id: string, fields: RoomFields): Promise<Room> {
    const [rows]: [RoomRow[]] = await this.db.query(
      `UPDATE rooms AS r SET name = $2, building = $3, floor = $4, capacity = $5, amenities = $6, equipment = $7,
         timezone = $8, policy = $9, status = $10, updated_at = now()
       WHERE r.id = $1 AND r.deleted_at IS NULL RETURNING ${ROOM_COLUMNS}`,
      [
        id,
        fields.name,
        fields.building,
        fields.floor,
        fields.capacity,
        fields.amenities,
        JSON.stringify(fields.equipment),
        fields.timezone,
        JSON.stringify(fields.policy),
        fields.status,
      ],
    );
    return toRoom(rows[0]);
  }

  /** Active bookings that still occupy the room now or later. */
  async countFutureActiveBookings(id: string): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM bookings WHERE room_id = $1 AND status IN ${ACTIVE_SQL} AND occupied_until > now()`,
      [id],
    );
    return n as number;
  }

  /**
   * Hides the room and takes it out of service. Bookings keep referencing it (history, reviews),
   * so the row stays; every read treats a deleted room as missing.
   */
  async softDelete(id: string): Promise<void> {
    await this.db.query(
      "UPDATE rooms SET deleted_at = now(), status = 'out_of_service', updated_at = now() WHERE id = $1 AND deleted_at IS NULL",
      [id],
    );
  }
}

/** The amenity vocabulary that room amenities and filters must come from. */
export class AmenityRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

  async list(): Promise<{ name: string; label: string }[]> {
    return this.db.query('SELECT name, label FROM amenities ORDER BY name');
  }

  /** The names that are not in the vocabulary, in the order given. */
  async unknown(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const rows: { name: string }[] = await this.db.query('SELECT name FROM amenities WHERE name = ANY($1::text[])', [
      names,
    ]);
    const known = new Set(rows.map((r) => r.name));
    return names.filter((n) => !known.has(n));
  }

  /** Adds a name; false when it already exists. */
  async add(name: string, label: string): Promise<boolean> {
    const rows = await this.db.query(
      'INSERT INTO amenities (name, label) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name',
      [name, label],
    );
    return rows.length > 0;
  }
}

/** How a room is named and placed in a booking's mail and invite. */
export interface RoomPlace {
  name: string;
  building: string;
  floor: string;
  timezone: string;
}

export async function findRoomPlace(
  db: Pick<DataSource | EntityManager, 'query'>,
  roomId: string,
): Promise<RoomPlace | undefined> {
  const [row] = (await db.query('SELECT name, building, floor, timezone FROM rooms WHERE id = $1', [
    roomId,
  ])) as RoomPlace[];
  return row;
}
