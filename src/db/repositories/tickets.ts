import { entityColumns, selectRows, updatedRows, type Queryable } from '../queryable';
import { TicketCommentSchema, TicketSchema, type TicketCommentEntity, type TicketEntity } from '../../entities';
import type { TicketSeverity, TicketStatus } from '../../shared/ticket-lifecycle';
import type { TicketState, TicketView } from '../../shared/ticket-messages';

/** Tickets, their comments and the record of ticket mail: every statement about them. */

const TICKET_COLUMNS = entityColumns(TicketSchema);
const COMMENT_COLUMNS = entityColumns(TicketCommentSchema);

/** A ticket as read back: its row, and the outage a blocking ticket opened (absent from an INSERT's RETURNING). */
export type TicketRow = TicketEntity & { outageId?: string | null };

const TICKET_WITH_OUTAGE = `SELECT ${entityColumns(TicketSchema, 't')},
  (SELECT o.id FROM room_outages o WHERE o.ticket_id = t.id) AS "outageId" FROM tickets t`;

export async function insertTicket(
  db: Queryable,
  ticket: Pick<
    TicketEntity,
    | 'id'
    | 'roomId'
    | 'reporterId'
    | 'reporterDisplayTokenId'
    | 'category'
    | 'severity'
    | 'title'
    | 'description'
    | 'equipment'
  > & { ackDueAt: string; resolveDueAt: string },
): Promise<TicketEntity> {
  const [row] = await selectRows<TicketEntity>(
    db,
    `INSERT INTO tickets (id, room_id, reporter_id, reporter_display_token_id, category, severity, title, description,
                          equipment, ack_due_at, resolve_due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${TICKET_COLUMNS}`,
    [
      ticket.id,
      ticket.roomId,
      ticket.reporterId,
      ticket.reporterDisplayTokenId,
      ticket.category,
      ticket.severity,
      ticket.title,
      ticket.description,
      ticket.equipment,
      ticket.ackDueAt,
      ticket.resolveDueAt,
    ],
  );
  return row;
}

export async function deleteTicket(db: Queryable, id: string): Promise<void> {
  await db.query<unknown>('DELETE FROM tickets WHERE id = $1', [id]);
}

export async function findTicket(db: Queryable, id: string): Promise<TicketRow | undefined> {
  const [row] = await selectRows<TicketRow>(db, `${TICKET_WITH_OUTAGE} WHERE t.id = $1`, [id]);
  return row;
}

/** Newest first; `reporterId` limits the list to one person's reports. */
export async function listTickets(
  db: Queryable,
  filter: { roomId?: string; status?: TicketStatus; severity?: TicketSeverity; reporterId?: string; limit: number },
): Promise<TicketRow[]> {
  return selectRows<TicketRow>(
    db,
    `${TICKET_WITH_OUTAGE}
     WHERE ($1::uuid IS NULL OR t.room_id = $1) AND ($2::text IS NULL OR t.status = $2)
       AND ($3::text IS NULL OR t.severity = $3) AND ($4::uuid IS NULL OR t.reporter_id = $4)
     ORDER BY t.created_at DESC, t.id LIMIT $5`,
    [filter.roomId ?? null, filter.status ?? null, filter.severity ?? null, filter.reporterId ?? null, filter.limit],
  );
}

/**
 * Writes the state the ticket's workflow holds. The workflow numbers its states: a retried
 * activity, or one that arrives after a newer state, changes nothing.
 */
export async function writeTicketState(db: Queryable, state: TicketState & { id: string }): Promise<void> {
  await updatedRows<{ id: string }>(
    db,
    `UPDATE tickets SET status = $2, assignee_id = $3, ack_due_at = $4, resolve_due_at = $5, sla_breached = $6,
            settled_at = $7, version = $8, updated_at = now()
     WHERE id = $1 AND version < $8 RETURNING id`,
    [
      state.id,
      state.status,
      state.assigneeId,
      state.ackDueAt,
      state.resolveDueAt,
      state.slaBreached,
      state.settledAt,
      state.version,
    ],
  );
}

/** Idempotent in the comment's id (a workflow retrying the note of a move writes it once). */
export async function insertTicketComment(
  db: Queryable,
  comment: { id: string; ticketId: string; authorId: string | null; text: string },
): Promise<TicketCommentEntity | undefined> {
  const [row] = await selectRows<TicketCommentEntity>(
    db,
    `INSERT INTO ticket_comments (id, ticket_id, author_id, text) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING ${COMMENT_COLUMNS}`,
    [comment.id, comment.ticketId, comment.authorId, comment.text],
  );
  return row;
}

export async function listTicketComments(db: Queryable, ticketId: string): Promise<TicketCommentEntity[]> {
  return selectRows<TicketCommentEntity>(
    db,
    `SELECT ${COMMENT_COLUMNS} FROM ticket_comments WHERE ticket_id = $1 ORDER BY created_at, id`,
    [ticketId],
  );
}

/** The equipment that active tickets of these rooms name, with the worst severity reported for each item. */
export async function faultyEquipment(
  db: Queryable,
  roomIds: readonly string[],
): Promise<{ room_id: string; equipment: string; severity: TicketSeverity }[]> {
  if (roomIds.length === 0) return [];
  return selectRows(
    db,
    `SELECT room_id, lower(equipment) AS equipment,
            CASE WHEN bool_or(severity = 'blocking') THEN 'blocking' ELSE 'normal' END AS severity
     FROM tickets
     WHERE room_id = ANY($1::uuid[]) AND equipment IS NOT NULL AND status IN ('open', 'acknowledged', 'in_progress')
     GROUP BY room_id, lower(equipment)`,
    [roomIds],
  );
}

/** Takes the message's lock for the rest of the transaction, or answers false when another sender holds it. */
export async function tryLockTicketMessage(db: Queryable, messageId: string): Promise<boolean> {
  const [{ locked }] = await selectRows<{ locked: boolean }>(
    db,
    'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
    [messageId],
  );
  return locked;
}

export async function isTicketMessageDelivered(db: Queryable, messageId: string): Promise<boolean> {
  return (
    (await selectRows<unknown>(db, 'SELECT 1 FROM ticket_mail_deliveries WHERE message_id = $1', [messageId])).length >
    0
  );
}

export async function recordTicketMailDelivery(
  db: Queryable,
  delivery: { messageId: string; ticketId: string; kind: string; recipient: string },
): Promise<void> {
  await db.query<unknown>(
    `INSERT INTO ticket_mail_deliveries (message_id, ticket_id, kind, recipient) VALUES ($1, $2, $3, $4)
     ON CONFLICT (message_id) DO NOTHING`,
    [delivery.messageId, delivery.ticketId, delivery.kind, delivery.recipient],
  );
}

/** The Ticket JSON of a row. */
export function toTicketView(row: TicketRow): TicketView {
  return {
    id: row.id,
    roomId: row.roomId,
    ...(row.reporterId ? { reporterId: row.reporterId } : {}),
    reportedByDisplay: row.reporterDisplayTokenId !== null,
    category: row.category,
    severity: row.severity,
    title: row.title,
    description: row.description,
    ...(row.equipment ? { equipment: row.equipment } : {}),
    status: row.status,
    ...(row.assigneeId ? { assigneeId: row.assigneeId } : {}),
    ackDueAt: row.ackDueAt.toISOString(),
    resolveDueAt: row.resolveDueAt.toISOString(),
    slaBreached: row.slaBreached,
    ...(row.settledAt ? { settledAt: row.settledAt.toISOString() } : {}),
    ...(row.outageId ? { outageId: row.outageId } : {}),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Tickets by severity and status, and how many of them missed a service level (for the metrics). */
export async function countTickets(
  db: Queryable,
): Promise<{ severity: TicketSeverity; status: TicketStatus; total: number; breached: number }[]> {
  return selectRows(
    db,
    `SELECT severity, status, count(*)::int AS total, (count(*) FILTER (WHERE sla_breached))::int AS breached
     FROM tickets GROUP BY severity, status`,
  );
}
