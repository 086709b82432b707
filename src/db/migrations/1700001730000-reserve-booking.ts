import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reservation's checks in one function, so that a reservation is one statement (one round
 * trip): the organizer's lock (the same key the series take), whether a retried attempt already
 * inserted the row, and the caps. A VOLATILE function reads with a fresh snapshot after the lock,
 * so it sees what the organizer's previous create committed while this one waited.
 */
export class ReserveBooking1700001730000 implements MigrationInterface {
  name = 'ReserveBooking1700001730000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION reserve_booking_verdict(
        p_organizer uuid, p_booking uuid, p_hold boolean, p_max_holds int, p_max_future int
      ) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        holds int;
        future int;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('bookings-of:' || p_organizer::text));
        IF EXISTS (SELECT 1 FROM bookings WHERE id = p_booking) THEN
          RETURN jsonb_build_object('verdict', 'exists');
        END IF;
        SELECT count(*) FILTER (WHERE status = 'held'),
               count(*) FILTER (WHERE status IN ('held', 'pending_approval', 'confirmed', 'checked_in') AND start_at > now())
          INTO holds, future
          FROM bookings WHERE organizer_id = p_organizer;
        IF p_hold AND holds >= p_max_holds THEN
          RETURN jsonb_build_object('verdict', 'holds', 'count', holds);
        END IF;
        IF future >= p_max_future THEN
          RETURN jsonb_build_object('verdict', 'future', 'count', future);
        END IF;
        RETURN jsonb_build_object('verdict', 'ok');
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION reserve_booking_verdict(uuid, uuid, boolean, int, int)');
  }
}
