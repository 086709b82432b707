import type { Client as TemporalClient } from '@temporalio/client';
import type { Pool } from 'pg';
import { ACTIVE_STATUSES_SQL } from '../../src/shared/booking-lifecycle';
import { bookingStateQuery, MAILED_EVENT_KINDS } from '../../src/shared/booking-messages';
import type { TrackedBooking } from './load';
import type { ReceivedMail } from './stack';
import type { Follower } from './followers';
import { sleep } from './load';

export interface CheckResult {
  name: string;
  checked: number;
  violations: string[];
  note?: string;
}

const iso = (v: Date | string) => new Date(v).toISOString();

/** Every 2xx-acknowledged booking exists, with a status and slot its last acknowledged change or a later timer gave it. */
export async function acknowledgedBookings(db: Pool, tracked: TrackedBooking[]): Promise<CheckResult> {
  const violations: string[] = [];
  const { rows } = await db.query('SELECT id, status, start_at FROM bookings WHERE id = ANY($1)', [
    tracked.map((t) => t.id),
  ]);
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  for (const t of tracked) {
    const row = byId.get(t.id);
    if (!row) {
      violations.push(`booking ${t.id} was acknowledged but has no row`);
      continue;
    }
    if (!t.possibleStatuses.has(row.status))
      violations.push(`booking ${t.id} is ${row.status}; acknowledged as one of ${[...t.possibleStatuses].join('|')}`);
    if (!t.possibleStarts.has(iso(row.start_at)))
      violations.push(
        `booking ${t.id} starts ${iso(row.start_at)}; acknowledged at ${[...t.possibleStarts].join('|')}`,
      );
  }
  return { name: 'acknowledged bookings kept', checked: tracked.length, violations };
}

/** No two active bookings of one room overlap (the exclusion constraint's promise, read back). */
export async function noOverlaps(db: Pool): Promise<CheckResult> {
  const { rows } = await db.query(
    `SELECT a.id AS a, b.id AS b FROM bookings a JOIN bookings b
       ON a.room_id = b.room_id AND a.id < b.id
      AND tstzrange(a.start_at, a.occupied_until, '[)') && tstzrange(b.start_at, b.occupied_until, '[)')
     WHERE a.status IN ${ACTIVE_STATUSES_SQL} AND b.status IN ${ACTIVE_STATUSES_SQL}`,
  );
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM bookings WHERE status IN ${ACTIVE_STATUSES_SQL}`))
    .rows;
  return {
    name: 'no overlapping active bookings',
    checked: n,
    violations: rows.map((r) => `bookings ${r.a} and ${r.b} overlap`),
  };
}

/**
 * Every booking's workflow agrees with its row: a running one answers the row's status and
 * version, a closed one belongs to a booking that no longer occupies its slot. A timer may fire
 * between the two reads, so a mismatch is read again before it counts.
 */
export async function workflowsMatchRows(db: Pool, temporal: TemporalClient): Promise<CheckResult> {
  const { rows } = await db.query(`SELECT id, workflow_id, run_id FROM bookings ORDER BY created_at`);
  const violations: string[] = [];
  let next = 0;
  // Eight at a time: a full run has about a thousand bookings.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < rows.length) {
        const { id, workflow_id: workflowId, run_id: runId } = rows[next++];
        let problem: string | undefined;
        for (let attempt = 0; attempt < 5; attempt += 1) {
          problem = await compare(db, temporal, id, workflowId, runId ?? undefined);
          if (!problem) break;
          await sleep(1000);
        }
        if (problem) violations.push(problem);
      }
    }),
  );
  return { name: 'workflow state equals its row', checked: rows.length, violations };
}

async function compare(
  db: Pool,
  temporal: TemporalClient,
  id: string,
  workflowId: string,
  runId: string | undefined,
): Promise<string | undefined> {
  // The row's own run: once its booking ended, the same slot's key may run another booking.
  const handle = temporal.workflow.getHandle(workflowId, runId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    return `booking ${id}: its workflow ${workflowId} cannot be described (${(err as Error).message})`;
  }
  if (description.status.name === 'RUNNING') {
    const state = await handle.query(bookingStateQuery);
    const [row] = (await db.query('SELECT status, version FROM bookings WHERE id = $1', [id])).rows;
    if (state.id !== id) return `booking ${id}: its workflow ${workflowId} runs booking ${state.id}`;
    if (state.status !== row.status || state.version !== row.version)
      return `booking ${id}: workflow says ${state.status} v${state.version}, row says ${row.status} v${row.version}`;
    return undefined;
  }
  const [row] = (await db.query(`SELECT status FROM bookings WHERE id = $1 AND status IN ${ACTIVE_STATUSES_SQL}`, [id]))
    .rows;
  if (!row) return undefined;
  // A reservation the Temporal server lost, reserved again by a later run of the same key (the row keeps the first run's id).
  if (runId) {
    const latest = await compare(db, temporal, id, workflowId, undefined).catch((err: Error) => err.message);
    if (latest === undefined) return undefined;
  }
  return `booking ${id}: row is ${row.status} but its workflow is ${description.status.name}`;
}

/**
 * Mail: every message recorded as sent reached the sink, every mailed event has its mail, and each
 * Message-ID (booking, kind, version, recipient) counts once. Copies of one Message-ID (a worker or
 * Postgres that died between the server's 250 and the delivery's record) are reported, not failed:
 * receivers collapse them, and no sender can close that window (docs/reliability.md).
 */
export async function mailOnce(
  db: Pool,
  received: ReceivedMail[],
  waitSeconds: number,
  /** Bookings with a change sent without a definite answer: its announcement may stand without its mail (docs/reliability.md). */
  uncertain: Set<string>,
): Promise<CheckResult> {
  const mailed = MAILED_EVENT_KINDS.filter((k) => k !== 'hold_created');
  const read = async () => {
    const recorded = (await db.query('SELECT message_id, booking_id, kind FROM mail_deliveries')).rows;
    const events = (
      await db.query(`SELECT DISTINCT n.booking_id, n.kind FROM booking_notifications n WHERE n.kind = ANY($1)`, [
        mailed,
      ])
    ).rows;
    const got = new Set(received.map((m) => m.messageId));
    const gotKinds = new Set(received.map((m) => `${m.bookingId}/${m.kind}`));
    const missingRecorded = recorded.filter((r) => !got.has(r.message_id));
    const missingEvents = events.filter(
      (e) => !gotKinds.has(`${e.booking_id}/${e.kind}`) && !uncertain.has(e.booking_id),
    );
    return { recorded, events, missingRecorded, missingEvents };
  };
  let state = await read();
  const until = Date.now() + waitSeconds * 1000;
  while ((state.missingRecorded.length || state.missingEvents.length) && Date.now() < until) {
    await sleep(2000);
    state = await read();
  }
  const copies = new Map<string, number>();
  for (const m of received) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
  const repeated = [...copies.values()].filter((n) => n > 1).length;
  return {
    name: 'each mail delivered once',
    checked: copies.size,
    violations: [
      ...state.missingRecorded.map((r) => `mail ${r.message_id} recorded as sent but never received`),
      ...state.missingEvents.map((e) => `booking ${e.booking_id}: event ${e.kind} was never mailed`),
    ],
    note: `${received.length} messages received, ${copies.size} distinct Message-IDs; ${repeated} Message-IDs arrived more than once`,
  };
}

/** Each realtime follower's last room status equals the API's, for every room it follows. */
export async function followersAgree(
  followers: Follower[],
  rooms: string[],
  read: (roomId: string) => Promise<{ status: string; version: number } | undefined>,
): Promise<CheckResult> {
  const violations: string[] = [];
  let checked = 0;
  for (const roomId of rooms) {
    let problems: string[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const api = await read(roomId);
      problems = [];
      for (const f of followers) {
        const seen = f.statuses.get(roomId);
        if (!api || !seen || seen.version !== api.version || seen.status !== api.status)
          problems.push(
            `room ${roomId}: follower ${f.name} has ${seen ? `${seen.status} v${seen.version}` : 'nothing'}, the API ${api ? `${api.status} v${api.version}` : 'nothing'}`,
          );
      }
      if (!problems.length) break;
      await sleep(1000);
    }
    checked += followers.length;
    violations.push(...problems);
  }
  return { name: 'realtime followers agree with the API', checked, violations };
}
