import { EntitySchema } from 'typeorm';
import type { RoomStatus } from '../shared/booking';
import { generatedUuidKey, integer, text, textArray, timestamptz, timestamptzNow, uuid } from './columns';

export type EquipmentStatus = 'ok' | 'degraded' | 'broken';

/** A row of `rooms`. Rows are never deleted: `deletedAt` hides a room that bookings still reference. */
export interface RoomEntity {
  id: string;
  name: string;
  building: string;
  floor: string;
  capacity: number;
  amenities: string[];
  equipment: { name: string; status: EquipmentStatus }[];
  timezone: string;
  /** The mailbox's local part (`<slug>@ROOM_MAIL_DOMAIN`); a trigger fills it from the name on insert and keeps it on rename. */
  slug: string;
  /** Parsed by storedPolicy(): rows written before a policy field existed lack it. */
  policy: unknown;
  status: RoomStatus;
  /** numeric(3, 2): pg hands it over as a string. */
  ratingAverage: string | null;
  ratingCount: number;
  /** Published reviews per star, 1 to 5. */
  ratingHistogram: number[];
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const RoomSchema = new EntitySchema<RoomEntity>({
  name: 'Room',
  tableName: 'rooms',
  columns: {
    id: generatedUuidKey(),
    name: text('name'),
    building: text('building'),
    floor: text('floor'),
    capacity: integer('capacity'),
    amenities: textArray('amenities'),
    equipment: { name: 'equipment', type: 'jsonb', default: () => "'[]'" },
    timezone: text('timezone'),
    slug: text('slug'),
    policy: { name: 'policy', type: 'jsonb' },
    status: text('status', { default: 'active' }),
    ratingAverage: { name: 'rating_average', type: 'numeric', precision: 3, scale: 2, nullable: true },
    ratingCount: integer('rating_count', { default: 0 }),
    ratingHistogram: { name: 'rating_histogram', type: 'integer', array: true, default: () => "'{0,0,0,0,0}'" },
    deletedAt: timestamptz('deleted_at', { nullable: true }),
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  checks: [
    { name: 'rooms_capacity_check', expression: 'capacity > 0' },
    { name: 'rooms_status_check', expression: "status IN ('active', 'out_of_service')" },
  ],
  // rooms_building_name (on lower(name)), rooms_amenities (GIN) and rooms_capacity_rating (DESC
  // NULLS LAST) are migrated indexes TypeORM cannot describe: test/db/entities.test.ts lists them.
  uniques: [{ name: 'rooms_slug_key', columns: ['slug'] }],
  indices: [{ name: 'rooms_building_floor', columns: ['building', 'floor'], where: 'deleted_at IS NULL' }],
});

/** A row of `amenities`: the vocabulary room amenities and filters come from. */
export interface AmenityEntity {
  name: string;
  label: string;
  createdAt: Date;
}

export const AmenitySchema = new EntitySchema<AmenityEntity>({
  name: 'Amenity',
  tableName: 'amenities',
  columns: {
    name: { type: 'text', primary: true },
    label: text('label'),
    createdAt: timestamptzNow('created_at'),
  },
  checks: [{ name: 'amenities_name_check', expression: "name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'" }],
});

/** A row of `room_status_versions`: the counter that orders a room's room.status events. */
export interface RoomStatusVersionEntity {
  roomId: string;
  /** bigint: pg hands it over as a string. */
  version: string;
  updatedAt: Date;
  room?: RoomEntity;
}

export const RoomStatusVersionSchema = new EntitySchema<RoomStatusVersionEntity>({
  name: 'RoomStatusVersion',
  tableName: 'room_status_versions',
  columns: {
    roomId: { ...uuid('room_id'), primary: true },
    version: { name: 'version', type: 'bigint' },
    updatedAt: timestamptzNow('updated_at'),
  },
  relations: {
    room: {
      type: 'one-to-one',
      target: 'Room',
      onDelete: 'CASCADE',
      joinColumn: { name: 'room_id', foreignKeyConstraintName: 'room_status_versions_room_id_fkey' },
    },
  },
});
