import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room outages (issue 18, item 2): a window in which a room is out of service, opened by staff or
 * by a blocking ticket, and what happened to each booking it displaced. The window is
 * [starts_at, least(ends_at, ended_at)): an open-ended outage has neither until it is ended.
 *
 * The guard on `bookings` is the one place a booking is refused for an outage: every writer of an
 * active row (a reservation, a series occurrence, a waitlist offer, an iMIP invite, a move, an
 * extension) passes it. It raises SQLSTATE RB001 with the outage in DETAIL, which the activities
 * turn into RoomUnavailable (HTTP 422 ROOM_UNAVAILABLE). It holds the room's outage lock shared,
 * and opening an outage holds it exclusive: a booking that raced the outage has committed before
 * the outage lists the bookings it displaces, or it sees the outage and is refused.
 */
export class RoomOutages1700001850000 implements MigrationInterface {
  name = 'RoomOutages1700001850000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE room_outages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        ended_at timestamptz,
        reason text NOT NULL CONSTRAINT room_outages_reason_check CHECK (char_length(reason) BETWEEN 1 AND 500),
        ticket_id uuid REFERENCES tickets(id) ON DELETE SET NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT room_outages_window_check CHECK (ends_at IS NULL OR ends_at > starts_at),
        CONSTRAINT room_outages_ended_check CHECK (ended_at IS NULL OR ended_at >= starts_at),
        CONSTRAINT room_outages_ticket_id_key UNIQUE (ticket_id)
      )`);
    await q.query('CREATE INDEX room_outages_room ON room_outages (room_id, starts_at)');
    await q.query(`
      CREATE TABLE outage_relocations (
        outage_id uuid NOT NULL REFERENCES room_outages(id) ON DELETE CASCADE,
        booking_id uuid NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        outcome text NOT NULL DEFAULT 'pending'
          CONSTRAINT outage_relocations_outcome_check CHECK (outcome IN ('pending', 'moved', 'cancelled')),
        to_room_id uuid REFERENCES rooms(id) ON DELETE SET NULL,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (outage_id, booking_id)
      )`);
    await q.query(`
      CREATE FUNCTION refuse_booking_in_outage() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        hit room_outages%ROWTYPE;
      BEGIN
        IF NEW.status NOT IN ('held', 'pending_approval', 'confirmed', 'checked_in') THEN
          RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.room_id = OLD.room_id AND NEW.start_at = OLD.start_at
           AND NEW.end_at = OLD.end_at AND OLD.status IN ('held', 'pending_approval', 'confirmed', 'checked_in') THEN
          RETURN NEW;
        END IF;
        PERFORM pg_advisory_xact_lock_shared(hashtext('room-outages:' || NEW.room_id::text));
        SELECT * INTO hit FROM room_outages o
         WHERE o.room_id = NEW.room_id
           AND tstzrange(o.starts_at, least(o.ends_at, o.ended_at), '[)') && tstzrange(NEW.start_at, NEW.end_at, '[)')
         ORDER BY o.starts_at LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'room % is out of service', NEW.room_id
            USING ERRCODE = 'RB001',
                  DETAIL = jsonb_build_object('outageId', hit.id, 'from', hit.starts_at,
                    'until', least(hit.ends_at, hit.ended_at), 'reason', hit.reason)::text;
        END IF;
        RETURN NEW;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER bookings_outage_guard BEFORE INSERT OR UPDATE ON bookings
      FOR EACH ROW EXECUTE FUNCTION refuse_booking_in_outage()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER bookings_outage_guard ON bookings');
    await q.query('DROP FUNCTION refuse_booking_in_outage()');
    await q.query('DROP TABLE outage_relocations');
    await q.query('DROP TABLE room_outages');
  }
}
