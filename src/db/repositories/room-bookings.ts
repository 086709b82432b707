import type { DataSource } from 'typeorm';
import type { RoomEntity } from '../../entities';
import type { BookingStatus } from '../../shared/booking';
import { ACTIVE_SQL, filterClauses, ROOM_COLUMNS, toRoom, type Room, type RoomFilters } from './rooms';

/**
 * Read-side queries over bookings for rooms: availability, search, calendars and feeds. The
 * booking workflows' activities own every write to the bookings table.
 */

export interface OccupyingBooking {
  start: Date;
  end: Date;
  occupiedUntil: Date;
  status: BookingStatus;
}

export interface CalendarBooking {
  id: string;
  roomId: string;
  title: string;
  start: Date;
  end: Date;
  status: BookingStatus;
  sequence: number;
  attendees: string[];
  organizer: { id: string; name: string; email: string };
  room: { name: string; building: string; floor: string };
  createdAt: Date;
  updatedAt: Date;
}

/** Statuses a calendar view shows: what occupies the room, and what took place. */
const SHOWN_IN_VIEWS = "('held', 'pending_approval', 'confirmed', 'checked_in', 'completed')";

const CALENDAR_COLUMNS = `b.id, b.room_id, b.title, b.start_at, b.end_at, b.status, b.sequence, b.attendees, b.created_at, b.updated_at,
  u.id AS organizer_id, u.display_name AS organizer_name, u.email AS organizer_email,
  r.name AS room_name, r.building AS room_building, r.floor AS room_floor`;

interface CalendarRow {
  id: string;
  room_id: string;
  title: string;
  start_at: Date;
  end_at: Date;
  status: BookingStatus;
  sequence: number;
  attendees: string[];
  created_at: Date;
  updated_at: Date;
  organizer_id: string;
  organizer_name: string;
  organizer_email: string;
  room_name: string;
  room_building: string;
  room_floor: string;
}

const toCalendarBooking = (r: CalendarRow): CalendarBooking => ({
  id: r.id,
  roomId: r.room_id,
  title: r.title,
  start: r.start_at,
  end: r.end_at,
  status: r.status,
  sequence: r.sequence,
  attendees: r.attendees,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  organizer: { id: r.organizer_id, name: r.organizer_name, email: r.organizer_email },
  room: { name: r.room_name, building: r.room_building, floor: r.room_floor },
});

export class RoomBookingsReader {
  constructor(private readonly db: DataSource) {}

  /**
   * Active bookings that occupy any part of [from, to + buffer): a booking starting within the
   * buffer after the window still keeps a booking ending at `to` from fitting.
   */
  async occupying(roomId: string, from: Date, to: Date, bufferSeconds: number): Promise<OccupyingBooking[]> {
    const rows: { start_at: Date; end_at: Date; occupied_until: Date; status: BookingStatus }[] = await this.db.query(
      `SELECT start_at, end_at, occupied_until, status FROM bookings
       WHERE room_id = $1 AND status IN ${ACTIVE_SQL}
         AND tstzrange(start_at, occupied_until, '[)') && tstzrange($2::timestamptz, $3::timestamptz + make_interval(secs => $4), '[)')
       ORDER BY start_at`,
      [roomId, from, to, bufferSeconds],
    );
    return rows.map((r) => ({ start: r.start_at, end: r.end_at, occupiedUntil: r.occupied_until, status: r.status }));
  }

  /** The room's outage windows overlapping [from, to), each clipped to `to` when open-ended. */
  async outages(roomId: string, from: Date, to: Date): Promise<{ start: Date; end: Date }[]> {
    const rows: { starts_at: Date; ends_at: Date }[] = await this.db.query(
      `SELECT starts_at, coalesce(least(ends_at, ended_at), $3::timestamptz) AS ends_at FROM room_outages
       WHERE room_id = $1 AND tstzrange(starts_at, least(ends_at, ended_at), '[)') && tstzrange($2::timestamptz, $3::timestamptz, '[)')
       ORDER BY starts_at`,
      [roomId, from, to],
    );
    return rows.map((r) => ({ start: r.starts_at, end: r.ends_at }));
  }

  /**
   * Active rooms matching the filters with no active booking in the way of a booking of the whole
   * window, best fit first: smallest capacity that fits, then best rated. One statement: the
   * overlap test is the exclusion constraint's GiST index (room_id, tstzrange(start_at,
   * occupied_until)) probed per candidate room, the next busy time a descent of
   * bookings_room_active_start.
   */
  async freeRooms(
    filters: RoomFilters,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<(Room & { nextBusyAt: string | null })[]> {
    const params: unknown[] = [from, to];
    const where = filterClauses({ ...filters, status: 'active' }, params);
    params.push(limit);
    const rows: (RoomEntity & { next_busy_at: Date | null })[] = await this.db.query(
      `SELECT ${ROOM_COLUMNS},
         (SELECT min(nb.start_at) FROM bookings nb
           WHERE nb.room_id = r.id AND nb.status IN ${ACTIVE_SQL} AND nb.start_at >= $2) AS next_busy_at
       FROM rooms r
       WHERE ${where.join(' AND ')}
         AND NOT EXISTS (
           SELECT 1 FROM bookings b
           WHERE b.room_id = r.id AND b.status IN ${ACTIVE_SQL}
             AND tstzrange(b.start_at, b.occupied_until, '[)')
                 && tstzrange($1::timestamptz, $2::timestamptz + make_interval(secs => coalesce((r.policy->>'bufferSeconds')::int, 0)), '[)'))
         AND NOT EXISTS (
           SELECT 1 FROM room_outages o
           WHERE o.room_id = r.id
             AND tstzrange(o.starts_at, least(o.ends_at, o.ended_at), '[)') && tstzrange($1::timestamptz, $2::timestamptz, '[)'))
       ORDER BY r.capacity, r.rating_average DESC NULLS LAST, lower(r.name), r.id
       LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({ ...toRoom(row), nextBusyAt: row.next_busy_at?.toISOString() ?? null }));
  }

  /** Bookings shown in a room's day or week view: active or completed, overlapping [from, to). */
  async forRoomView(roomId: string, from: Date, to: Date): Promise<CalendarBooking[]> {
    const rows: CalendarRow[] = await this.db.query(
      `SELECT ${CALENDAR_COLUMNS} FROM bookings b JOIN users u ON u.id = b.organizer_id JOIN rooms r ON r.id = b.room_id
       WHERE b.room_id = $1 AND b.status IN ${SHOWN_IN_VIEWS} AND b.start_at < $3 AND b.end_at > $2
       ORDER BY b.start_at`,
      [roomId, from, to],
    );
    return rows.map(toCalendarBooking);
  }

  /**
   * Every booking of a room starting in [from, to), whatever its status: a feed must carry
   * cancellations too, or subscribed calendars keep showing them.
   */
  async forRoomFeed(roomId: string, from: Date, to: Date, limit: number): Promise<CalendarBooking[]> {
    const rows: CalendarRow[] = await this.db.query(
      `SELECT ${CALENDAR_COLUMNS} FROM bookings b JOIN users u ON u.id = b.organizer_id JOIN rooms r ON r.id = b.room_id
       WHERE b.room_id = $1 AND b.start_at >= $2 AND b.start_at < $3
       ORDER BY b.start_at LIMIT $4`,
      [roomId, from, to, limit],
    );
    return rows.map(toCalendarBooking);
  }

  /** A person's bookings starting in [from, to): organised by them, or naming their verified email as an attendee. */
  async forUserFeed(userId: string, from: Date, to: Date, limit: number): Promise<CalendarBooking[]> {
    const rows: CalendarRow[] = await this.db.query(
      `SELECT ${CALENDAR_COLUMNS} FROM bookings b JOIN users u ON u.id = b.organizer_id JOIN rooms r ON r.id = b.room_id
       WHERE b.start_at >= $2 AND b.start_at < $3
         AND (b.organizer_id = $1
              OR EXISTS (SELECT 1 FROM users me, unnest(b.attendees) a WHERE me.id = $1 AND me.email_verified AND lower(a) = lower(me.email::text)))
       ORDER BY b.start_at LIMIT $4`,
      [userId, from, to, limit],
    );
    return rows.map(toCalendarBooking);
  }
}
