import { EntitySchema } from 'typeorm';
import { generatedUuidKey, text, timestamptz, timestamptzNow, uuid } from './columns';
import type { BookingEntity } from './booking';
import type { RoomEntity } from './room';
import type { TicketEntity } from './ticket';
import type { UserEntity } from './user';

export type RelocationOutcome = 'pending' | 'moved' | 'cancelled';

/**
 * A row of `room_outages`: a window [startsAt, least(endsAt, endedAt)) in which the room is out of
 * service; its workflow `outage:<id>` relocates the bookings it displaces and sets endedAt.
 */
export interface RoomOutageEntity {
  id: string;
  roomId: string;
  startsAt: Date;
  endsAt: Date | null;
  endedAt: Date | null;
  reason: string;
  ticketId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  room?: RoomEntity;
  ticket?: TicketEntity | null;
  creator?: UserEntity | null;
}

export const RoomOutageSchema = new EntitySchema<RoomOutageEntity>({
  name: 'RoomOutage',
  tableName: 'room_outages',
  columns: {
    id: generatedUuidKey(),
    roomId: uuid('room_id'),
    startsAt: timestamptz('starts_at'),
    endsAt: timestamptz('ends_at', { nullable: true }),
    endedAt: timestamptz('ended_at', { nullable: true }),
    reason: text('reason'),
    ticketId: uuid('ticket_id', { nullable: true }),
    createdBy: uuid('created_by', { nullable: true }),
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  checks: [
    { name: 'room_outages_reason_check', expression: 'char_length(reason) BETWEEN 1 AND 500' },
    { name: 'room_outages_window_check', expression: 'ends_at IS NULL OR ends_at > starts_at' },
    { name: 'room_outages_ended_check', expression: 'ended_at IS NULL OR ended_at >= starts_at' },
  ],
  uniques: [{ name: 'room_outages_ticket_id_key', columns: ['ticketId'] }],
  indices: [{ name: 'room_outages_room', columns: ['roomId', 'startsAt'] }],
  relations: {
    room: {
      type: 'many-to-one',
      target: 'Room',
      onDelete: 'CASCADE',
      joinColumn: { name: 'room_id', foreignKeyConstraintName: 'room_outages_room_id_fkey' },
    },
    ticket: {
      type: 'many-to-one',
      target: 'Ticket',
      nullable: true,
      onDelete: 'SET NULL',
      joinColumn: { name: 'ticket_id', foreignKeyConstraintName: 'room_outages_ticket_id_fkey' },
    },
    creator: {
      type: 'many-to-one',
      target: 'User',
      nullable: true,
      onDelete: 'SET NULL',
      joinColumn: { name: 'created_by', foreignKeyConstraintName: 'room_outages_created_by_fkey' },
    },
  },
});

/** A row of `outage_relocations`: one booking an outage displaced, and where it went. */
export interface OutageRelocationEntity {
  outageId: string;
  bookingId: string;
  outcome: RelocationOutcome;
  toRoomId: string | null;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  outage?: RoomOutageEntity;
  booking?: BookingEntity;
  toRoom?: RoomEntity | null;
}

export const OutageRelocationSchema = new EntitySchema<OutageRelocationEntity>({
  name: 'OutageRelocation',
  tableName: 'outage_relocations',
  columns: {
    outageId: { ...uuid('outage_id'), primary: true },
    bookingId: { ...uuid('booking_id'), primary: true },
    outcome: text('outcome', { default: 'pending' }),
    toRoomId: uuid('to_room_id', { nullable: true }),
    reason: text('reason', { nullable: true }),
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  checks: [
    {
      name: 'outage_relocations_outcome_check',
      expression: "outcome IN ('pending', 'moved', 'cancelled')",
    },
  ],
  relations: {
    outage: {
      type: 'many-to-one',
      target: 'RoomOutage',
      onDelete: 'CASCADE',
      joinColumn: { name: 'outage_id', foreignKeyConstraintName: 'outage_relocations_outage_id_fkey' },
    },
    booking: {
      type: 'many-to-one',
      target: 'Booking',
      onDelete: 'CASCADE',
      joinColumn: { name: 'booking_id', foreignKeyConstraintName: 'outage_relocations_booking_id_fkey' },
    },
    toRoom: {
      type: 'many-to-one',
      target: 'Room',
      nullable: true,
      onDelete: 'SET NULL',
      joinColumn: { name: 'to_room_id', foreignKeyConstraintName: 'outage_relocations_to_room_id_fkey' },
    },
  },
});
