import type { DataSource, EntityManager } from 'typeorm';
import { ACTIVE_STATUSES, type BookingStatus } from '../../shared/booking';
import type { RoomBooking, StatusRoom } from '../../domain/room-status';
import { RoomRepository } from './rooms';
import { roomsOutOfServiceAt } from './outages';

type Db = DataSource | EntityManager;

/** What a room's status is computed from: the room and its active bookings that have not ended. */
export interface RoomStatusInputs {
  room: StatusRoom;
  bookings: RoomBooking[];
}

// Enough for a busy day of short meetings; the display lists today's only.
const MAX_BOOKINGS = 60;

const iso = (value: Date | null | undefined): string | undefined => (value ? value.toISOString() : undefined);

interface Row {
  id: string;
  title: string;
  organizer_id: string;
  organizer_name: string | null;
  start_at: Date;
  end_at: Date;
  status: BookingStatus;
  check_in_opens_at: Date | null;
  check_in_deadline: Date | null;
  checked_in_at: Date | null;
  version: number;
}

export async function loadRoomStatusInputs(db: Db, roomId: string, at: number): Promise<RoomStatusInputs | undefined> {
  const room = await new RoomRepository(db).find(roomId);
  if (!room) return undefined;
  const rows: Row[] = await db.query(
    `SELECT b.id, b.title, b.organizer_id, u.display_name AS organizer_name, b.start_at, b.end_at, b.status,
            b.check_in_opens_at, b.check_in_deadline, b.checked_in_at, b.version
     FROM bookings b LEFT JOIN users u ON u.id = b.organizer_id
     WHERE b.room_id = $1 AND b.status = ANY($2) AND b.end_at > $3
     ORDER BY b.start_at, b.id LIMIT ${MAX_BOOKINGS}`,
    [roomId, ACTIVE_STATUSES, new Date(at)],
  );
  // An outage covering this instant shows the room out of service, as staff setting its status would.
  const inOutage = (await roomsOutOfServiceAt(db, [room.id], new Date(at))).has(room.id);
  return {
    room: {
      id: room.id,
      name: room.name,
      timezone: room.timezone,
      status: inOutage ? 'out_of_service' : room.status,
      policy: room.policy,
    },
    bookings: rows.map((r) => ({
      id: r.id,
      title: r.title,
      organizer: { id: r.organizer_id, name: r.organizer_name ?? '' },
      start: iso(r.start_at)!,
      end: iso(r.end_at)!,
      status: r.status,
      ...(r.check_in_opens_at ? { checkInOpensAt: iso(r.check_in_opens_at) } : {}),
      ...(r.check_in_deadline ? { checkInDeadline: iso(r.check_in_deadline) } : {}),
      ...(r.checked_in_at ? { checkedInAt: iso(r.checked_in_at) } : {}),
      version: r.version,
    })),
  };
}

/**
 * The next version of the room's status. The upsert holds the counter's row lock until the
 * caller's transaction ends, which is what serializes the room's publishers.
 */
export async function nextRoomStatusVersion(tx: EntityManager, roomId: string): Promise<number> {
  const [row] = await tx.query(
    `INSERT INTO room_status_versions (room_id, version) VALUES ($1, 1)
     ON CONFLICT (room_id) DO UPDATE SET version = room_status_versions.version + 1, updated_at = now()
     RETURNING version`,
    [roomId],
  );
  return Number(row.version);
}

/** The version of the last room.status published for the room (0 before the first). */
export async function currentRoomStatusVersion(db: Db, roomId: string): Promise<number> {
  const [row] = await db.query('SELECT version FROM room_status_versions WHERE room_id = $1', [roomId]);
  return row ? Number(row.version) : 0;
}
