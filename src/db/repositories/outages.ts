import type { DataSource, EntityManager } from 'typeorm';
import { selectRows, updatedRows, type Queryable } from '../queryable';
import type { OutageStatus, OutageView, RelocationOutcome, RelocationView } from '../../shared/outage-messages';

type Db = DataSource | EntityManager;

/** SQLSTATE of the bookings guard (migration 1700001850000): the room is out of service then. */
export const ROOM_UNAVAILABLE_SQLSTATE = 'RB001';

/** The outage the guard ran into, from the error's DETAIL. */
export interface OutageHit {
  outageId: string;
  from: string;
  until: string | null;
  reason: string;
}

/** The guard's refusal, read off a pg error (TypeORM wraps it as driverError); undefined for anything else. */
export function roomUnavailableHit(err: unknown): OutageHit | undefined {
  const e = err as { code?: string; detail?: string; driverError?: { code?: string; detail?: string } };
  const pg = e?.code === ROOM_UNAVAILABLE_SQLSTATE ? e : e?.driverError;
  if (pg?.code !== ROOM_UNAVAILABLE_SQLSTATE) return undefined;
  try {
    const d = JSON.parse(pg.detail ?? '{}') as OutageHit;
    const iso = (t: string | null) => (t ? new Date(t).toISOString() : null);
    return { outageId: d.outageId, from: iso(d.from)!, until: iso(d.until), reason: d.reason };
  } catch {
    return { outageId: '', from: '', until: null, reason: '' };
  }
}

export interface OutageRow {
  id: string;
  room_id: string;
  starts_at: Date;
  ends_at: Date | null;
  ended_at: Date | null;
  reason: string;
  ticket_id: string | null;
  created_by: string | null;
  created_at: Date;
}

interface RelocationRow {
  outage_id: string;
  booking_id: string;
  outcome: RelocationOutcome;
  to_room_id: string | null;
  reason: string | null;
}

/** The effective end: the planned one, or the moment it was ended, whichever came first. */
export function outageEnd(row: Pick<OutageRow, 'ends_at' | 'ended_at'>): Date | null {
  const ends = [row.ends_at, row.ended_at].filter((d): d is Date => d !== null);
  return ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null;
}

export function outageStatus(
  row: Pick<OutageRow, 'starts_at' | 'ends_at' | 'ended_at'>,
  at = Date.now(),
): OutageStatus {
  const end = outageEnd(row);
  if (row.ended_at || (end && end.getTime() <= at)) return 'ended';
  return row.starts_at.getTime() <= at ? 'active' : 'scheduled';
}

function toView(row: OutageRow, relocations: RelocationRow[]): OutageView {
  return {
    id: row.id,
    roomId: row.room_id,
    from: row.starts_at.toISOString(),
    ...(row.ends_at ? { until: row.ends_at.toISOString() } : {}),
    reason: row.reason,
    ...(row.ticket_id ? { ticketId: row.ticket_id } : {}),
    status: outageStatus(row),
    ...(row.ended_at ? { endedAt: row.ended_at.toISOString() } : {}),
    relocations: relocations.map((r): RelocationView => ({
      bookingId: r.booking_id,
      outcome: r.outcome,
      ...(r.to_room_id ? { toRoomId: r.to_room_id } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
    })),
    createdAt: row.created_at.toISOString(),
  };
}

const OUTAGE_COLUMNS = 'id, room_id, starts_at, ends_at, ended_at, reason, ticket_id, created_by, created_at';

async function relocationsOf(db: Queryable, outageIds: string[]): Promise<RelocationRow[]> {
  if (outageIds.length === 0) return [];
  return selectRows<RelocationRow>(
    db,
    `SELECT x.outage_id, x.booking_id, x.outcome, x.to_room_id, x.reason
     FROM outage_relocations x JOIN bookings b ON b.id = x.booking_id
     WHERE x.outage_id = ANY($1) ORDER BY b.start_at, x.booking_id`,
    [outageIds],
  );
}

/**
 * Writes a new outage under the room's outage lock (exclusive): a booking write of the room that
 * raced it has committed by now (the outage will find it) or waits and then meets the guard.
 * A ticket's outage is written once: a repeat answers the row already there.
 */
export async function insertOutage(
  db: DataSource,
  o: { roomId: string; from: Date; until: Date | null; reason: string; ticketId?: string; createdBy?: string },
): Promise<OutageRow> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('room-outages:' || $1::text))`, [o.roomId]);
    const [row] = await selectRows<OutageRow>(
      tx,
      `INSERT INTO room_outages (room_id, starts_at, ends_at, reason, ticket_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (ticket_id) DO NOTHING
       RETURNING ${OUTAGE_COLUMNS}`,
      [o.roomId, o.from, o.until, o.reason, o.ticketId ?? null, o.createdBy ?? null],
    );
    if (row) return row;
    const [existing] = await selectRows<OutageRow>(
      tx,
      `SELECT ${OUTAGE_COLUMNS} FROM room_outages WHERE ticket_id = $1`,
      [o.ticketId],
    );
    return existing;
  });
}

export async function deleteOutage(db: Db, id: string): Promise<void> {
  await db.query('DELETE FROM room_outages WHERE id = $1', [id]);
}

export async function findOutageRow(db: Queryable, id: string): Promise<OutageRow | undefined> {
  const [row] = await selectRows<OutageRow>(db, `SELECT ${OUTAGE_COLUMNS} FROM room_outages WHERE id = $1`, [id]);
  return row;
}

export async function findOutage(db: Queryable, id: string): Promise<OutageView | undefined> {
  const row = await findOutageRow(db, id);
  return row ? toView(row, await relocationsOf(db, [id])) : undefined;
}

export async function outageOfTicket(db: Queryable, ticketId: string): Promise<OutageRow | undefined> {
  const [row] = await selectRows<OutageRow>(db, `SELECT ${OUTAGE_COLUMNS} FROM room_outages WHERE ticket_id = $1`, [
    ticketId,
  ]);
  return row;
}

/** A room's outages, newest window first. */
export async function listRoomOutages(db: Queryable, roomId: string, limit = 100): Promise<OutageView[]> {
  const rows = await selectRows<OutageRow>(
    db,
    `SELECT ${OUTAGE_COLUMNS} FROM room_outages WHERE room_id = $1 ORDER BY starts_at DESC, id LIMIT ${limit}`,
    [roomId],
  );
  const relocations = await relocationsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) =>
    toView(
      r,
      relocations.filter((x) => x.outage_id === r.id),
    ),
  );
}

/** Of these rooms, the ones an outage covers at the instant. */
export async function roomsOutOfServiceAt(db: Queryable, roomIds: string[], at: Date): Promise<Set<string>> {
  if (roomIds.length === 0) return new Set();
  const rows = await selectRows<{ room_id: string }>(
    db,
    `SELECT DISTINCT room_id FROM room_outages
     WHERE room_id = ANY($1) AND tstzrange(starts_at, least(ends_at, ended_at), '[)') @> $2::timestamptz`,
    [roomIds, at],
  );
  return new Set(rows.map((r) => r.room_id));
}

/**
 * The active bookings the outage displaces, each recorded once as a pending relocation; answers
 * every relocation still pending, in start order (a retried call answers the same). Checked-in
 * meetings are not moved: their people are in the room already.
 */
export async function claimDisplacedBookings(db: DataSource, outageId: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO outage_relocations (outage_id, booking_id)
       SELECT o.id, b.id FROM room_outages o
       JOIN bookings b ON b.room_id = o.room_id
        AND b.status IN ('held', 'pending_approval', 'confirmed')
        AND tstzrange(b.start_at, b.end_at, '[)') && tstzrange(o.starts_at, least(o.ends_at, o.ended_at), '[)')
       WHERE o.id = $1
       ON CONFLICT DO NOTHING`,
      [outageId],
    );
    const rows = await selectRows<{ booking_id: string }>(
      tx,
      `SELECT x.booking_id FROM outage_relocations x JOIN bookings b ON b.id = x.booking_id
       WHERE x.outage_id = $1 AND x.outcome = 'pending' ORDER BY b.start_at, b.id`,
      [outageId],
    );
    return rows.map((r) => r.booking_id);
  });
}

export async function recordRelocation(
  db: Queryable,
  r: { outageId: string; bookingId: string; outcome: RelocationOutcome; toRoomId?: string; reason?: string },
): Promise<void> {
  await db.query(
    `UPDATE outage_relocations SET outcome = $3, to_room_id = $4, reason = $5, updated_at = now()
     WHERE outage_id = $1 AND booking_id = $2`,
    [r.outageId, r.bookingId, r.outcome, r.toRoomId ?? null, r.reason ?? null],
  );
}

/** An outage that ended before it reached them displaced these bookings after all: they are no longer its concern. */
export async function dropPendingRelocations(db: Queryable, outageId: string): Promise<void> {
  await db.query(`DELETE FROM outage_relocations WHERE outage_id = $1 AND outcome = 'pending'`, [outageId]);
}

/** Ends the outage at `at` (never before its start); answers the row, ended now or before. */
export async function endOutageRow(db: Queryable, id: string, at: Date): Promise<OutageRow | undefined> {
  const [ended] = await updatedRows<OutageRow>(
    db,
    `UPDATE room_outages SET ended_at = greatest(starts_at, least($2::timestamptz, coalesce(ends_at, $2::timestamptz))),
       updated_at = now()
     WHERE id = $1 AND ended_at IS NULL
     RETURNING ${OUTAGE_COLUMNS}`,
    [id, at],
  );
  return ended ?? findOutageRow(db, id);
}

/** A room a displaced booking could move to: free for the interval (bookings with their buffer, outages), big enough. */
export interface RelocationCandidateRow {
  id: string;
  name: string;
  building: string;
  capacity: number;
  amenities: string[];
  timezone: string;
  policy: unknown;
}

export async function findRelocationCandidates(
  db: Queryable,
  q: { excludeRoomId: string; start: string; end: string; people: number; bookingId: string },
): Promise<RelocationCandidateRow[]> {
  return selectRows<RelocationCandidateRow>(
    db,
    `SELECT r.id, r.name, r.building, r.capacity, r.amenities, r.timezone, r.policy FROM rooms r
     WHERE r.deleted_at IS NULL AND r.status = 'active' AND r.id <> $1 AND r.capacity >= $4
       AND NOT EXISTS (
         SELECT 1 FROM bookings b WHERE b.room_id = r.id AND b.id <> $5
           AND b.status IN ('held', 'pending_approval', 'confirmed', 'checked_in')
           AND tstzrange(b.start_at, b.occupied_until, '[)')
               && tstzrange($2::timestamptz, $3::timestamptz + make_interval(secs => coalesce((r.policy->>'bufferSeconds')::int, 0)), '[)'))
       AND NOT EXISTS (
         SELECT 1 FROM room_outages o WHERE o.room_id = r.id
           AND tstzrange(o.starts_at, least(o.ends_at, o.ended_at), '[)') && tstzrange($2::timestamptz, $3::timestamptz, '[)'))`,
    [q.excludeRoomId, q.start, q.end, q.people, q.bookingId],
  );
}
