import type { WaitlistEntry, WaitlistStatus } from '../../domain/waitlist';
import { selectRows, updatedRows, type Queryable } from '../queryable';

/** A row of waitlist_entries as selected here. */
interface WaitlistEntryRow {
  id: string;
  user_id: string;
  room_id: string | null;
  building: string | null;
  capacity: number | null;
  amenities: string[];
  start_at: Date;
  end_at: Date;
  status: WaitlistStatus;
  offer_booking_id: string | null;
  offer_room_id: string | null;
  offer_claim_by: Date | null;
  created_at: Date;
}

const COLUMNS = `id, user_id, room_id, building, capacity, amenities, start_at, end_at, status,
  offer_booking_id, offer_room_id, offer_claim_by, created_at`;

function toEntry(r: WaitlistEntryRow): WaitlistEntry {
  return {
    id: r.id,
    userId: r.user_id,
    ...(r.room_id ? { roomId: r.room_id } : {}),
    ...(r.building !== null ? { building: r.building } : {}),
    ...(r.capacity !== null ? { capacity: r.capacity } : {}),
    amenities: r.amenities,
    start: r.start_at.toISOString(),
    end: r.end_at.toISOString(),
    status: r.status,
    ...(r.offer_booking_id && r.offer_room_id
      ? {
          offer: {
            bookingId: r.offer_booking_id,
            roomId: r.offer_room_id,
            ...(r.offer_claim_by ? { claimBy: r.offer_claim_by.toISOString() } : {}),
          },
        }
      : {}),
    createdAt: r.created_at.toISOString(),
  };
}

export interface NewWaitlistEntry {
  id: string;
  userId: string;
  roomId?: string;
  building?: string;
  capacity?: number;
  amenities: string[];
  start: string;
  end: string;
}

export async function insertWaitlistEntry(db: Queryable, e: NewWaitlistEntry): Promise<WaitlistEntry> {
  const [row] = await selectRows<WaitlistEntryRow>(
    db,
    `INSERT INTO waitlist_entries (id, user_id, room_id, building, capacity, amenities, start_at, end_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [e.id, e.userId, e.roomId ?? null, e.building ?? null, e.capacity ?? null, e.amenities, e.start, e.end],
  );
  return row ? toEntry(row) : ((await findWaitlistEntry(db, e.id)) as WaitlistEntry);
}

export async function findWaitlistEntry(db: Queryable, id: string): Promise<WaitlistEntry | undefined> {
  const [row] = await selectRows<WaitlistEntryRow>(db, `SELECT ${COLUMNS} FROM waitlist_entries WHERE id = $1`, [id]);
  return row ? toEntry(row) : undefined;
}

export async function listWaitlistEntriesOf(db: Queryable, userId: string): Promise<WaitlistEntry[]> {
  const rows = await selectRows<WaitlistEntryRow>(
    db,
    `SELECT ${COLUMNS} FROM waitlist_entries WHERE user_id = $1 ORDER BY created_at, id LIMIT 500`,
    [userId],
  );
  return rows.map(toEntry);
}

/**
 * Entries that might take a slot freed in this room between start and end: waiting (or offered
 * without a hold yet: an offer being retried) for this room or for its building, overlapping the
 * interval, starting after now. The domain's rankCandidates decides fit and order.
 */
export async function listWaitlistCandidates(
  db: Queryable,
  room: { id: string; building: string },
  start: string,
  end: string,
): Promise<WaitlistEntry[]> {
  const rows = await selectRows<WaitlistEntryRow>(
    db,
    `SELECT ${COLUMNS} FROM waitlist_entries
     WHERE (status = 'waiting' OR (status = 'offered' AND offer_claim_by IS NULL))
       AND (room_id = $1 OR (room_id IS NULL AND building = $2))
       AND start_at < $4 AND end_at > $3 AND start_at > now()
     ORDER BY created_at, id LIMIT 200`,
    [room.id, room.building, start, end],
  );
  return rows.map(toEntry);
}

/**
 * Whether anyone might take an interval freed in this room: the check before a free starts the
 * room's waitlist workflow. Safe against a join racing it: a join commits its row before it
 * signals the room itself, so a free that saw no row is followed by the join's own signal.
 */
export async function anyoneWaitingFor(db: Queryable, roomId: string, start: string, end: string): Promise<boolean> {
  const [row] = await selectRows<{ waiting: boolean }>(
    db,
    `SELECT EXISTS (
       SELECT 1 FROM waitlist_entries e
       WHERE (e.status = 'waiting' OR (e.status = 'offered' AND e.offer_claim_by IS NULL))
         AND (e.room_id = $1 OR (e.room_id IS NULL AND e.building = (SELECT building FROM rooms WHERE id = $1)))
         AND e.start_at < $3 AND e.end_at > $2 AND e.start_at > now()
     ) AS waiting`,
    [roomId, start, end],
  );
  return row?.waiting === true;
}

/**
 * Takes a waiting entry for one offer (its booking id): one entry never holds two offers, even
 * when two rooms free at once. Answers true for the offer that already holds it (a retry).
 */
export async function claimWaitlistEntry(
  db: Queryable,
  entryId: string,
  offer: { bookingId: string; roomId: string },
): Promise<boolean> {
  const rows = await updatedRows<{ id: string }>(
    db,
    `UPDATE waitlist_entries SET status = 'offered', offer_booking_id = $2, offer_room_id = $3, updated_at = now()
     WHERE id = $1 AND (status = 'waiting' OR (status = 'offered' AND offer_booking_id = $2))
     RETURNING id`,
    [entryId, offer.bookingId, offer.roomId],
  );
  return rows.length === 1;
}

/** The offer's hold was refused (the slot is taken after all, a cap): the entry waits again. */
export async function releaseWaitlistClaim(db: Queryable, entryId: string, bookingId: string): Promise<void> {
  await db.query(
    `UPDATE waitlist_entries SET status = 'waiting', offer_booking_id = NULL, offer_room_id = NULL, updated_at = now()
     WHERE id = $1 AND status = 'offered' AND offer_booking_id = $2 AND offer_claim_by IS NULL`,
    [entryId, bookingId],
  );
}

/** The hold exists: the offer is made, with its claim deadline. */
export async function setWaitlistClaimBy(
  db: Queryable,
  entryId: string,
  bookingId: string,
  claimBy: string,
): Promise<WaitlistEntry | undefined> {
  const [row] = await updatedRows<WaitlistEntryRow>(
    db,
    `UPDATE waitlist_entries SET offer_claim_by = $3, updated_at = now()
     WHERE id = $1 AND status = 'offered' AND offer_booking_id = $2
     RETURNING ${COLUMNS}`,
    [entryId, bookingId, claimBy],
  );
  return row ? toEntry(row) : undefined;
}

/**
 * The offer's hold changed status: confirmed ends the entry as claimed; a hold that stopped
 * occupying the slot unconfirmed ends it as expired (or cancelled). Answers the entry it ended,
 * once: a repeated call changes nothing.
 */
export async function settleWaitlistOffer(
  db: Queryable,
  bookingId: string,
  outcome: Extract<WaitlistStatus, 'claimed' | 'expired' | 'cancelled'>,
): Promise<WaitlistEntry | undefined> {
  const [row] = await updatedRows<WaitlistEntryRow>(
    db,
    `UPDATE waitlist_entries SET status = $2, updated_at = now()
     WHERE offer_booking_id = $1 AND status = 'offered'
     RETURNING ${COLUMNS}`,
    [bookingId, outcome],
  );
  return row ? toEntry(row) : undefined;
}

/** The waiter leaves the list; answers the entry as it was before (undefined: not theirs, or already ended). */
export async function cancelWaitlistEntry(
  db: Queryable,
  entryId: string,
  userId: string,
): Promise<WaitlistEntry | undefined> {
  const [row] = await updatedRows<WaitlistEntryRow>(
    db,
    `UPDATE waitlist_entries e SET status = 'cancelled', updated_at = now()
     FROM waitlist_entries before
     WHERE e.id = $1 AND e.user_id = $2 AND e.status IN ('waiting', 'offered') AND before.id = e.id
     RETURNING ${COLUMNS.split(',')
       .map((c) => `before.${c.trim()}`)
       .join(', ')}`,
    [entryId, userId],
  );
  return row ? toEntry(row) : undefined;
}

/** The rooms of a building a building-wide entry might get: in service and not deleted. */
export async function roomsOfBuilding(
  db: Queryable,
  building: string,
): Promise<{ id: string; building: string; capacity: number; amenities: string[] }[]> {
  return selectRows(
    db,
    `SELECT id, building, capacity, amenities FROM rooms
     WHERE building = $1 AND deleted_at IS NULL AND status = 'active' ORDER BY id`,
    [building],
  );
}

/**
 * Ends as expired the entries still waiting whose start has passed (nobody can be offered a slot
 * that began): a user's own when they list them, everyone's from the retention schedule. Answers
 * how many it ended. An offer being made (claimed, no deadline yet) is left to its offer.
 */
export async function expirePassedWaitlistEntries(db: Queryable, userId?: string): Promise<number> {
  const rows = await updatedRows<{ id: string }>(
    db,
    `UPDATE waitlist_entries SET status = 'expired', updated_at = now()
     WHERE status = 'waiting' AND start_at <= now() AND ($1::uuid IS NULL OR user_id = $1)
     RETURNING id`,
    [userId ?? null],
  );
  return rows.length;
}
