import type { MigrationInterface, QueryRunner } from 'typeorm';

const ACTIVE = "('held', 'pending_approval', 'confirmed', 'checked_in')";

/**
 * The room catalog around the core rooms table: the amenity vocabulary, the rating columns that
 * reviews maintain, soft deletion, the indexes behind room listing and the availability search,
 * and per-user calendar feed secrets.
 */
export class RoomsCatalog1700000300000 implements MigrationInterface {
  name = 'RoomsCatalog1700000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE amenities (
        name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
        label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO amenities (name, label) VALUES
        ('screen', 'Screen'), ('projector', 'Projector'), ('whiteboard', 'Whiteboard'),
        ('video_conferencing', 'Video conferencing'), ('speakerphone', 'Speakerphone'),
        ('wheelchair_access', 'Wheelchair access'), ('natural_light', 'Natural light'),
        ('standing_desk', 'Standing desk'), ('hdmi', 'HDMI input'), ('coffee_machine', 'Coffee machine')`);

    // Maintained by reviews (average of approved ratings); null until a room has one.
    await q.query('ALTER TABLE rooms ADD COLUMN rating_average numeric(3, 2)');
    await q.query('ALTER TABLE rooms ADD COLUMN rating_count integer NOT NULL DEFAULT 0');
    // Rooms with booking history cannot be removed (bookings reference them): deletion hides them.
    await q.query('ALTER TABLE rooms ADD COLUMN deleted_at timestamptz');

    await q.query('CREATE UNIQUE INDEX rooms_building_name ON rooms (building, lower(name)) WHERE deleted_at IS NULL');
    await q.query('CREATE INDEX rooms_amenities ON rooms USING gin (amenities) WHERE deleted_at IS NULL');
    // The search's order (best fit: smallest capacity, then rating) and the capacity range filter.
    await q.query(
      'CREATE INDEX rooms_capacity_rating ON rooms (capacity, rating_average DESC NULLS LAST) WHERE deleted_at IS NULL',
    );
    await q.query('CREATE INDEX rooms_building_floor ON rooms (building, floor) WHERE deleted_at IS NULL');
    // "Free for the whole window" is the exclusion constraint's own GiST index
    // (room_id, tstzrange(start_at, occupied_until)); "next busy time" walks this one.
    await q.query(`CREATE INDEX bookings_room_active_start ON bookings (room_id, start_at) WHERE status IN ${ACTIVE}`);

    await q.query(`
      CREATE TABLE calendar_feeds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        -- sha256 of the secret: a database leak does not leak subscribable URLs.
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query('CREATE UNIQUE INDEX calendar_feeds_one_active ON calendar_feeds (user_id) WHERE revoked_at IS NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE calendar_feeds');
    await q.query('DROP INDEX bookings_room_active_start');
    await q.query('DROP INDEX rooms_building_floor');
    await q.query('DROP INDEX rooms_capacity_rating');
    await q.query('DROP INDEX rooms_amenities');
    await q.query('DROP INDEX rooms_building_name');
    await q.query('ALTER TABLE rooms DROP COLUMN deleted_at, DROP COLUMN rating_count, DROP COLUMN rating_average');
    await q.query('DROP TABLE amenities');
  }
}
