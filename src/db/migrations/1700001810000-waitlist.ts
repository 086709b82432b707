import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The waitlist (issue 18): one row per person waiting for a room (or any fitting room of a
 * building) and an interval. An offer is a hold booking in the waiter's name; the entry keeps
 * its id, room and claim deadline. Offers never share a slot because they are real bookings under
 * bookings_no_overlap.
 */
export class Waitlist1700001810000 implements MigrationInterface {
  name = 'Waitlist1700001810000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE waitlist_entries (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        room_id uuid,
        building text,
        capacity integer,
        amenities text[] NOT NULL DEFAULT '{}',
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'waiting',
        offer_booking_id uuid,
        offer_room_id uuid,
        offer_claim_by timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT waitlist_entries_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
        CONSTRAINT waitlist_entries_room_id_fkey FOREIGN KEY (room_id) REFERENCES rooms(id) ON DELETE CASCADE,
        CONSTRAINT waitlist_entries_status_check
          CHECK (status IN ('waiting', 'offered', 'claimed', 'expired', 'cancelled')),
        -- A room, or a building: exactly one of the two.
        CONSTRAINT waitlist_entries_target_check CHECK ((room_id IS NULL) <> (building IS NULL)),
        CONSTRAINT waitlist_entries_interval_check CHECK (end_at > start_at)
      )`);
    await q.query('CREATE INDEX waitlist_entries_user ON waitlist_entries (user_id, created_at)');
    await q.query('CREATE INDEX waitlist_entries_status_start ON waitlist_entries (status, start_at)');
    await q.query('CREATE INDEX waitlist_entries_offer_booking ON waitlist_entries (offer_booking_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE waitlist_entries');
  }
}
