import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The three aggregates everything else hangs off: users, rooms and bookings. Later migrations
 * add to them; this one never changes once landed.
 */
export class CoreSchema1700000100000 implements MigrationInterface {
  name = 'CoreSchema1700000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email citext NOT NULL UNIQUE,
        display_name text NOT NULL,
        timezone text NOT NULL DEFAULT 'UTC',
        role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'facility_manager', 'member', 'display')),
        password_hash text,
        email_verified boolean NOT NULL DEFAULT false,
        notification_prefs jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE rooms (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        building text NOT NULL,
        floor text NOT NULL,
        capacity integer NOT NULL CHECK (capacity > 0),
        amenities text[] NOT NULL DEFAULT '{}',
        equipment jsonb NOT NULL DEFAULT '[]'::jsonb,
        timezone text NOT NULL,
        policy jsonb NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'out_of_service')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE bookings (
        id uuid PRIMARY KEY,
        room_id uuid NOT NULL REFERENCES rooms(id),
        organizer_id uuid NOT NULL REFERENCES users(id),
        series_id uuid,
        title text NOT NULL,
        attendees text[] NOT NULL DEFAULT '{}',
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        -- end_at plus the room's buffer, written by the app: timestamptz + interval is not
        -- immutable, so the constraint cannot compute it.
        occupied_until timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('held', 'pending_approval', 'confirmed', 'checked_in', 'completed', 'expired', 'rejected', 'cancelled', 'released')),
        workflow_id text NOT NULL,
        hold_expires_at timestamptz,
        check_in_opens_at timestamptz,
        check_in_deadline timestamptz,
        checked_in_at timestamptz,
        ended_at timestamptz,
        status_reason text,
        -- Bumped by the workflow at every transition: a stale activity write never overwrites a newer state.
        version integer NOT NULL DEFAULT 0,
        -- iCalendar SEQUENCE: bumped when the time or the status seen by attendees changes.
        sequence integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_at > start_at),
        CHECK (occupied_until >= end_at),
        CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
          room_id WITH =,
          tstzrange(start_at, occupied_until, '[)') WITH &&
        ) WHERE (status IN ('held', 'pending_approval', 'confirmed', 'checked_in'))
      )`);
    await q.query('CREATE INDEX bookings_organizer_start ON bookings (organizer_id, start_at)');
    await q.query('CREATE INDEX bookings_room_start ON bookings (room_id, start_at)');
    await q.query('CREATE INDEX bookings_workflow ON bookings (workflow_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE bookings');
    await q.query('DROP TABLE rooms');
    await q.query('DROP TABLE users');
  }
}
