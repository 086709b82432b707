import type { DataSource } from 'typeorm';
import { ACTIVE_STATUSES } from '../../shared/booking';
import type { BookingView } from '../../shared/booking-messages';
import { isExclusionViolation, toView, type BookingRow, type BookingViewRow } from './bookings';
import { selectRows } from '../queryable';

/** SQL of the reconciliation (src/activities/reconcile.ts): rows read as BookingViews, repairs guarded by the row as it was read. */

const ACTIVE = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');

/** Active rows not changed within the grace period (a row that just changed may be ahead of its workflow for a moment). */
export async function activeBookingRows(
  dataSource: DataSource,
  opts: { graceSeconds: number; roomIds?: string[] },
): Promise<BookingRow[]> {
  const rows = await selectRows<BookingViewRow>(
    dataSource,
    `SELECT * FROM bookings
     WHERE status IN (${ACTIVE}) AND updated_at < now() - make_interval(secs => $1)
       AND ($2::uuid[] IS NULL OR room_id = ANY($2::uuid[]))
     ORDER BY start_at`,
    [opts.graceSeconds, opts.roomIds?.length ? opts.roomIds : null],
  );
  return rows.map(toView);
}

export async function bookingRowsByIds(dataSource: DataSource, ids: string[]): Promise<Map<string, BookingRow>> {
  if (ids.length === 0) return new Map();
  const rows = await selectRows<BookingViewRow>(dataSource, 'SELECT * FROM bookings WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(rows.map((r) => [r.id, toView(r)]));
}

/** Only when the row is still exactly as it was read: otherwise its workflow (or a person) changed it meanwhile. */
const UNCHANGED = `id = $1 AND version = $2 AND status = $3 AND date_trunc('milliseconds', updated_at) = $4::timestamptz`;
const readAs = (row: BookingRow) => [row.id, row.version, row.status, row.updatedAt];

export type RepairResult = { ok: true } | { ok: false; reason: string };

/**
 * Rewrites the row from its workflow's state (the workflow is the authority): every field the
 * state query answers. The occupied interval keeps its buffer; a slot taken meanwhile by another
 * booking makes the rewrite fail (the exclusion constraint), which is reported, not forced.
 */
export async function rewriteFromWorkflowState(
  dataSource: DataSource,
  row: BookingRow,
  state: BookingView,
): Promise<RepairResult> {
  try {
    const [rows] = await dataSource.query(
      `UPDATE bookings SET
         status = $5, status_reason = $6, title = $7, attendees = $8, start_at = $9, end_at = $10,
         occupied_until = $10::timestamptz + (occupied_until - end_at),
         hold_expires_at = $11, check_in_opens_at = $12, check_in_deadline = $13, checked_in_at = $14,
         workflow_id = $15, version = $16, sequence = $17, updated_at = $18
       WHERE ${UNCHANGED}
       RETURNING id`,
      [
        ...readAs(row),
        state.status,
        state.statusReason ?? null,
        state.title,
        state.attendees,
        state.start,
        state.end,
        state.holdExpiresAt ?? null,
        state.checkInOpensAt ?? null,
        state.checkInDeadline ?? null,
        state.checkedInAt ?? null,
        state.workflowId,
        state.version,
        state.sequence,
        state.updatedAt,
      ],
    );
    return rows.length
      ? { ok: true }
      : { ok: false, reason: 'the row changed while reconciling; the next run looks again' };
  } catch (err) {
    if (isExclusionViolation(err))
      return { ok: false, reason: 'another active booking now occupies the slot (exclusion constraint)' };
    throw err;
  }
}

/** An active row whose workflow is gone: nothing will ever end it, so it is cancelled (the slot is freed), saying why. */
export async function cancelOrphanedRow(
  dataSource: DataSource,
  row: BookingRow,
  reason: string,
  /** The status the booking's closed workflow ended it with, when it ended it (else cancelled). */
  status: BookingRow['status'] = 'cancelled',
): Promise<RepairResult> {
  const [rows] = await dataSource.query(
    `UPDATE bookings SET status = $6, status_reason = $5, version = version + 1, updated_at = now()
     WHERE ${UNCHANGED} AND status IN (${ACTIVE})
     RETURNING id`,
    [...readAs(row), reason, status],
  );
  return rows.length
    ? { ok: true }
    : { ok: false, reason: 'the row changed while reconciling; the next run looks again' };
}
