import { EntitySchema } from 'typeorm';
import { text, textArray, timestamptz, timestamptzNow, uuid, uuidKey } from './columns';
import type { WaitlistStatus } from '../domain/waitlist';
import type { RoomEntity } from './room';
import type { UserEntity } from './user';

/** A row of `waitlist_entries`: one person waiting for a room (or a building's fitting rooms) and an interval. */
export interface WaitlistEntryEntity {
  id: string;
  userId: string;
  roomId: string | null;
  building: string | null;
  capacity: number | null;
  amenities: string[];
  startAt: Date;
  endAt: Date;
  status: WaitlistStatus;
  offerBookingId: string | null;
  offerRoomId: string | null;
  offerClaimBy: Date | null;
  createdAt: Date;
  updatedAt: Date;
  user?: UserEntity;
  room?: RoomEntity | null;
}

export const WaitlistEntrySchema = new EntitySchema<WaitlistEntryEntity>({
  name: 'WaitlistEntry',
  tableName: 'waitlist_entries',
  columns: {
    id: uuidKey(),
    userId: uuid('user_id'),
    roomId: uuid('room_id', { nullable: true }),
    building: text('building', { nullable: true }),
    capacity: { name: 'capacity', type: 'integer', nullable: true },
    amenities: textArray('amenities'),
    startAt: timestamptz('start_at'),
    endAt: timestamptz('end_at'),
    status: text('status', { default: 'waiting' }),
    offerBookingId: uuid('offer_booking_id', { nullable: true }),
    offerRoomId: uuid('offer_room_id', { nullable: true }),
    offerClaimBy: timestamptz('offer_claim_by', { nullable: true }),
    createdAt: timestamptzNow('created_at'),
    updatedAt: timestamptzNow('updated_at'),
  },
  checks: [
    {
      name: 'waitlist_entries_status_check',
      expression: "status IN ('waiting', 'offered', 'claimed', 'expired', 'cancelled')",
    },
    { name: 'waitlist_entries_target_check', expression: '(room_id IS NULL) <> (building IS NULL)' },
    { name: 'waitlist_entries_interval_check', expression: 'end_at > start_at' },
  ],
  indices: [
    { name: 'waitlist_entries_user', columns: ['userId', 'createdAt'] },
    { name: 'waitlist_entries_status_start', columns: ['status', 'startAt'] },
    { name: 'waitlist_entries_offer_booking', columns: ['offerBookingId'] },
  ],
  relations: {
    user: {
      type: 'many-to-one',
      target: 'User',
      onDelete: 'CASCADE',
      joinColumn: { name: 'user_id', foreignKeyConstraintName: 'waitlist_entries_user_id_fkey' },
    },
    room: {
      type: 'many-to-one',
      target: 'Room',
      nullable: true,
      onDelete: 'CASCADE',
      joinColumn: { name: 'room_id', foreignKeyConstraintName: 'waitlist_entries_room_id_fkey' },
    },
  },
});
