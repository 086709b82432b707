import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviews of rooms after a meeting, their helpful/unhelpful votes, and the rating histogram that
 * sits beside the rating average and count on rooms (all three recomputed together from the
 * published reviews, under a lock on the room row).
 */
export class Reviews1700000800000 implements MigrationInterface {
  name = 'Reviews1700000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        booking_id uuid NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        room_id uuid NOT NULL REFERENCES rooms(id),
        author_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment text NOT NULL DEFAULT '' CHECK (char_length(comment) <= 2000),
        status text NOT NULL CHECK (status IN ('published', 'pending', 'rejected')),
        -- Why automatic screening held it back (link, banned_term, repeated_characters, all_capitals).
        screening_flags text[] NOT NULL DEFAULT '{}',
        moderation_reason text,
        moderated_by uuid REFERENCES users(id) ON DELETE SET NULL,
        moderated_at timestamptz,
        helpful_count integer NOT NULL DEFAULT 0,
        unhelpful_count integer NOT NULL DEFAULT 0,
        -- Wilson lower bound of helpful / all votes: the "most helpful" order, stored so it can be indexed.
        helpfulness double precision NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- One review per person per booking; the unique index settles concurrent submissions.
        UNIQUE (booking_id, author_id)
      )`);
    await q.query("CREATE INDEX reviews_room_recent ON reviews (room_id, created_at DESC) WHERE status = 'published'");
    await q.query(
      "CREATE INDEX reviews_room_helpful ON reviews (room_id, helpfulness DESC, created_at DESC) WHERE status = 'published'",
    );
    await q.query('CREATE INDEX reviews_moderation_queue ON reviews (status, created_at)');
    await q.query('CREATE INDEX reviews_author ON reviews (author_id)');
    await q.query(`
      CREATE TABLE review_votes (
        review_id uuid NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        helpful boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (review_id, user_id)
      )`);
    // Published reviews per star, index 1..5 (PostgreSQL arrays are 1-based).
    await q.query("ALTER TABLE rooms ADD COLUMN rating_histogram integer[] NOT NULL DEFAULT '{0,0,0,0,0}'");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE rooms DROP COLUMN rating_histogram');
    await q.query('DROP TABLE review_votes');
    await q.query('DROP TABLE reviews');
  }
}
