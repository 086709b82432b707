import type { MigrationInterface, QueryRunner } from 'typeorm';

const SUM_COLUMNS = [
  'bookings',
  'booked_us',
  'used_us',
  'no_shows',
  'check_ins_due',
  'released_us',
  'rebooked_us',
  'recovered_us',
];

/** insights_carry's two statements (as in 1700001860000-insights-rollup), in either language. */
const carry = (language: 'sql' | 'plpgsql') => {
  const statements = `
        INSERT INTO insights_room_months AS m
        SELECT d.room_id, date_trunc('month', d.day)::date, ${SUM_COLUMNS.map((c) => `p_sign * sum(d.${c})`).join(', ')}
        FROM insights_room_days d WHERE d.room_id = ANY(p_rooms) AND d.day >= p_from AND d.day < p_to
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (room_id, month) DO UPDATE SET ${SUM_COLUMNS.map((c) => `${c} = m.${c} + EXCLUDED.${c}`).join(', ')};
        INSERT INTO insights_building_day_hours AS b
        SELECT r.building, h.day, h.weekday, h.hour, p_sign * sum(h.booked_us), p_sign * sum(h.used_us)
        FROM insights_room_day_hours h JOIN rooms r ON r.id = h.room_id AND r.deleted_at IS NULL
        WHERE h.room_id = ANY(p_rooms) AND h.day >= p_from AND h.day < p_to
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (building, day, weekday, hour) DO UPDATE
          SET booked_us = b.booked_us + EXCLUDED.booked_us, used_us = b.used_us + EXCLUDED.used_us;`;
  return `
      CREATE OR REPLACE FUNCTION insights_carry(p_rooms uuid[], p_from date, p_to date, p_sign int) RETURNS void
      LANGUAGE ${language} AS $$${language === 'plpgsql' ? ` BEGIN${statements}\n      END` : statements}
      $$`;
};

/**
 * What the insights trigger costs a booking write. Measured on the bench's insights data set
 * (1.36 million bookings): 7.6–8.6 ms a row for `bookings_refresh_insights` (EXPLAIN ANALYZE of an
 * update and an insert of 1,000 bookings), most of it planning, not work: a SQL-language function
 * is planned again at every call (insights_carry, twice a refresh), and the refresh's statements
 * over the facts took custom plans each time (a fact query plans in ~4 ms and runs in 0.5 ms).
 * insights_carry becomes PL/pgSQL, whose statement plans a connection keeps, and the per-row
 * refresh runs with generic plans (its statements always read one room and one day). The
 * migration's backfill and a room's rebuild on a zone change keep custom plans: they read a
 * whole history, for which a plan made for one day is the wrong one.
 */
export class InsightsWriteCost1700001890000 implements MigrationInterface {
  name = 'InsightsWriteCost1700001890000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(carry('plpgsql'));
    await q.query('ALTER FUNCTION insights_refresh_room_day(uuid, date) SET plan_cache_mode = force_generic_plan');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER FUNCTION insights_refresh_room_day(uuid, date) RESET plan_cache_mode');
    await q.query(carry('sql'));
  }
}
