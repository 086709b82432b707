import { EntitySchema, type EntitySchemaColumnOptions, type EntitySchemaRelationOptions } from 'typeorm';
import type { BookingEntity } from './booking';
import { integer, text, timestamptz, uuid } from './columns';
import type { RoomEntity } from './room';

/**
 * The insights rollup (migration 1700001860000-insights-rollup): sums of the figures of
 * DESIGN.md's "Insights" per room and UTC day of the bookings' start, kept current by the
 * `bookings_refresh_insights` trigger and read by src/db/repositories/insights.ts, never written
 * by application code. Durations are microseconds (bigint: pg hands them over as strings).
 */

const bigint = (name: string): EntitySchemaColumnOptions => ({ name, type: 'bigint' });
const date = (name: string, primary = false): EntitySchemaColumnOptions => ({ name, type: 'date', primary });
const smallint = (name: string, primary = false): EntitySchemaColumnOptions => ({ name, type: 'smallint', primary });
const roomKey = (): EntitySchemaColumnOptions => ({ ...uuid('room_id'), primary: true });
const roomRelation = (table: string): EntitySchemaRelationOptions => ({
  type: 'many-to-one',
  target: 'Room',
  onDelete: 'CASCADE',
  joinColumn: { name: 'room_id', foreignKeyConstraintName: `${table}_room_id_fkey` },
});

/** A room's sums over some days: counts, and durations in microseconds. */
export interface InsightsSums {
  bookings: number;
  bookedUs: string;
  usedUs: string;
  noShows: number;
  checkInsDue: number;
  releasedUs: string;
  rebookedUs: string;
  recoveredUs: string;
}

const sums = {
  bookings: integer('bookings'),
  bookedUs: bigint('booked_us'),
  usedUs: bigint('used_us'),
  noShows: integer('no_shows'),
  checkInsDue: integer('check_ins_due'),
  releasedUs: bigint('released_us'),
  rebookedUs: bigint('rebooked_us'),
  recoveredUs: bigint('recovered_us'),
};

export interface InsightsRoomDayEntity extends InsightsSums {
  roomId: string;
  /** UTC date of the bookings' start. */
  day: string;
  /** When the last of the day's figures stops depending on the clock (its latest end or deadline). */
  settlesAt: Date;
  room?: RoomEntity;
}

export const InsightsRoomDaySchema = new EntitySchema<InsightsRoomDayEntity>({
  name: 'InsightsRoomDay',
  tableName: 'insights_room_days',
  columns: { roomId: roomKey(), day: date('day', true), ...sums, settlesAt: timestamptz('settles_at') },
  indices: [
    { name: 'insights_room_days_settles_at', columns: ['settlesAt'] },
    { name: 'insights_room_days_day', columns: ['day'] },
  ],
  relations: { room: roomRelation('insights_room_days') },
});

/** The days' sums per UTC month, kept by adding each day's change. */
export interface InsightsRoomMonthEntity extends InsightsSums {
  roomId: string;
  month: string;
  room?: RoomEntity;
}

export const InsightsRoomMonthSchema = new EntitySchema<InsightsRoomMonthEntity>({
  name: 'InsightsRoomMonth',
  tableName: 'insights_room_months',
  columns: { roomId: roomKey(), month: date('month', true), ...sums },
  relations: { room: roomRelation('insights_room_months') },
});

/** A cancellation that had been booked: its lead (start minus cancellation) decides whether it was late. */
export interface InsightsCancellationEntity {
  bookingId: string;
  roomId: string;
  day: string;
  leadUs: string;
  booking?: BookingEntity;
  room?: RoomEntity;
}

export const InsightsCancellationSchema = new EntitySchema<InsightsCancellationEntity>({
  name: 'InsightsCancellation',
  tableName: 'insights_cancellations',
  columns: {
    bookingId: { ...uuid('booking_id'), primary: true },
    roomId: uuid('room_id'),
    day: date('day'),
    leadUs: bigint('lead_us'),
  },
  indices: [{ name: 'insights_cancellations_room_day', columns: ['roomId', 'day'] }],
  relations: {
    booking: {
      type: 'many-to-one',
      target: 'Booking',
      onDelete: 'CASCADE',
      joinColumn: { name: 'booking_id', foreignKeyConstraintName: 'insights_cancellations_booking_id_fkey' },
    },
    room: roomRelation('insights_cancellations'),
  },
});

/** Booked and used microseconds in one local hour of the week (ISO weekday, 1 = Monday). */
export interface InsightsHourCell {
  day: string;
  weekday: number;
  hour: number;
  bookedUs: string;
  usedUs: string;
}

const hourCell = {
  day: date('day', true),
  weekday: smallint('weekday', true),
  hour: smallint('hour', true),
  bookedUs: bigint('booked_us'),
  usedUs: bigint('used_us'),
};

export interface InsightsRoomDayHourEntity extends InsightsHourCell {
  roomId: string;
  room?: RoomEntity;
}

export const InsightsRoomDayHourSchema = new EntitySchema<InsightsRoomDayHourEntity>({
  name: 'InsightsRoomDayHour',
  tableName: 'insights_room_day_hours',
  columns: { roomId: roomKey(), ...hourCell },
  relations: { room: roomRelation('insights_room_day_hours') },
});

/** The hours of a building's rooms that are not deleted, summed. */
export interface InsightsBuildingDayHourEntity extends InsightsHourCell {
  building: string;
}

export const InsightsBuildingDayHourSchema = new EntitySchema<InsightsBuildingDayHourEntity>({
  name: 'InsightsBuildingDayHour',
  tableName: 'insights_building_day_hours',
  columns: { building: { ...text('building'), primary: true }, ...hourCell },
});
