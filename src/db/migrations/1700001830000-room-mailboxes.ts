import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room mailboxes (iMIP): every room gets a slug, the local part of its mailbox address, filled
 * from its name on insert (a trigger, so every writer of rooms gets one) and kept when the room is
 * renamed (invites already sent keep reaching it). Bookings record where they came from and, for
 * invites, the iCalendar UID and the SEQUENCE last applied.
 */
export class RoomMailboxes1700001830000 implements MigrationInterface {
  name = 'RoomMailboxes1700001830000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION room_slug(name text, id uuid) RETURNS text LANGUAGE sql IMMUTABLE AS $$
      SELECT trim(both '-' from regexp_replace(lower(name), '[^a-z0-9]+', '-', 'g')) || '-' || left(id::text, 6)
    $$`);
    await q.query('ALTER TABLE rooms ADD COLUMN slug text');
    await q.query('UPDATE rooms SET slug = room_slug(name, id)');
    await q.query('ALTER TABLE rooms ALTER COLUMN slug SET NOT NULL');
    await q.query('ALTER TABLE rooms ADD CONSTRAINT rooms_slug_key UNIQUE (slug)');
    await q.query(`CREATE FUNCTION rooms_fill_slug() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.slug IS NULL THEN NEW.slug := room_slug(NEW.name, NEW.id); END IF;
        RETURN NEW;
      END
    $$`);
    await q.query(
      'CREATE TRIGGER rooms_fill_slug BEFORE INSERT ON rooms FOR EACH ROW EXECUTE FUNCTION rooms_fill_slug()',
    );
    await q.query("ALTER TABLE bookings ADD COLUMN source text NOT NULL DEFAULT 'api'");
    await q.query("ALTER TABLE bookings ADD CONSTRAINT bookings_source_check CHECK (source IN ('api', 'imip'))");
    await q.query('ALTER TABLE bookings ADD COLUMN ical_uid text');
    await q.query('ALTER TABLE bookings ADD COLUMN ical_sequence integer');
    await q.query('CREATE INDEX bookings_room_ical_uid ON bookings (room_id, ical_uid) WHERE ical_uid IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX bookings_room_ical_uid');
    await q.query('ALTER TABLE bookings DROP COLUMN ical_sequence');
    await q.query('ALTER TABLE bookings DROP COLUMN ical_uid');
    await q.query('ALTER TABLE bookings DROP CONSTRAINT bookings_source_check');
    await q.query('ALTER TABLE bookings DROP COLUMN source');
    await q.query('DROP TRIGGER rooms_fill_slug ON rooms');
    await q.query('DROP FUNCTION rooms_fill_slug()');
    await q.query('ALTER TABLE rooms DROP COLUMN slug');
    await q.query('DROP FUNCTION room_slug(text, uuid)');
  }
}
