import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { RoomRepository } from '../../db/repositories/rooms';
import {
  deleteTicket,
  findTicket,
  insertTicket,
  insertTicketComment,
  listTicketComments,
  listTickets,
  toTicketView,
  type TicketRow,
} from '../../db/repositories/tickets';
import type { TicketCommentEntity, TicketEntity } from '../../entities';
import { findUserById } from '../../db/repositories/users';
import { AppError, conflict, forbidden, notFound, policyViolation } from '../../domain/errors';
import { isStaff, type Principal } from '../../domain/principal';
import { closedWorkflow, failureOf, toAppError } from '../../infra/temporal-errors';
import { withTemporalDeadline } from '../../infra/temporal';
import { ticketDeadlines, type TicketAction } from '../../shared/ticket-lifecycle';
import {
  assignTicketUpdate,
  moveTicketUpdate,
  TicketFailureTypes,
  ticketWorkflowId,
  type TicketView,
  type TicketWorkflowInput,
} from '../../shared/ticket-messages';
import { RoomIdKey, TicketIdKey, TicketSeverityKey, TicketStatusKey } from '../../shared/search-attributes';
import type { AppDeps } from '../deps';
import type { createTicketSchema, listTicketsQuery } from '../schemas/tickets';
import type { ticketWorkflow } from '../../workflows/ticket';
import type { IdempotencyClaim } from './idempotency';
import type { OutageService } from './outage-service';

const TEMPORAL_CALL_TIMEOUT_MS = 20_000;
/** Moves only facility staff make; the reporter may close (withdraw) or reopen their own. */
const STAFF_ACTIONS: readonly TicketAction[] = ['acknowledge', 'start', 'resolve'];

export interface TicketComment {
  id: string;
  ticketId: string;
  authorId?: string;
  text: string;
  createdAt: string;
}

const toComment = (row: TicketCommentEntity): TicketComment => ({
  id: row.id,
  ticketId: row.ticketId,
  ...(row.authorId ? { authorId: row.authorId } : {}),
  text: row.text,
  createdAt: row.createdAt.toISOString(),
});

/**
 * Facility tickets: reports about a room, each driven by its workflow `ticket:<id>` (service-level
 * timers, escalation, mail). The service decides who may see and move a ticket; the workflow
 * decides whether the move fits the ticket's state.
 */
export class TicketService {
  private readonly rooms: RoomRepository;

  constructor(
    private readonly deps: Pick<AppDeps, 'dataSource' | 'temporal' | 'config'>,
    private readonly outages: OutageService,
  ) {
    this.rooms = new RoomRepository(deps.dataSource);
  }

  async report(
    principal: Principal,
    roomId: string,
    body: z.infer<typeof createTicketSchema>,
    claim: IdempotencyClaim,
  ): Promise<TicketView> {
    const room = await this.rooms.find(roomId);
    if (!room) throw notFound('Room');
    if (claim.replay) {
      const made = await findTicket(this.deps.dataSource, claim.resourceId);
      // A retry after the first attempt's outage failed to start opens it now.
      if (made) return toTicketView(await this.withOutage(made, room.name));
    }
    if (body.equipment && !room.equipment.some((item) => item.name.toLowerCase() === body.equipment!.toLowerCase()))
      throw policyViolation(`The room has no equipment named "${body.equipment}".`, {
        equipment: room.equipment.map((item) => item.name),
      });
    const sla = this.deps.config.tickets.sla[body.severity];
    const due = ticketDeadlines(Date.now(), sla);
    const row = await insertTicket(this.deps.dataSource, {
      id: claim.resourceId,
      roomId,
      reporterId: principal.kind === 'user' ? principal.userId : null,
      reporterDisplayTokenId: principal.kind === 'display' ? principal.displayTokenId : null,
      category: body.category,
      severity: body.severity,
      title: body.title,
      description: body.description ?? '',
      equipment: body.equipment ?? null,
      ...due,
    });
    const input: TicketWorkflowInput = {
      ticketId: row.id,
      roomId,
      severity: body.severity,
      ...due,
      sla,
      reopenSeconds: this.deps.config.tickets.reopenSeconds,
    };
    try {
      await withTemporalDeadline(this.deps.temporal, TEMPORAL_CALL_TIMEOUT_MS, () =>
        this.deps.temporal.workflow.start<typeof ticketWorkflow>('ticketWorkflow', {
          workflowId: ticketWorkflowId(row.id),
          taskQueue: this.deps.config.temporal.taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          // Operators find a ticket by id, room, status and severity; the workflow keeps TicketStatus current.
          typedSearchAttributes: [
            { key: TicketIdKey, value: row.id },
            { key: RoomIdKey, value: roomId },
            { key: TicketStatusKey, value: 'open' },
            { key: TicketSeverityKey, value: body.severity },
          ],
          staticSummary: `Ticket · ${room.name} · ${body.severity} ${body.category} · “${body.title}”`,
        }),
      );
    } catch (err) {
      // No workflow, no ticket: a report nobody tracks would never escalate.
      await deleteTicket(this.deps.dataSource, row.id);
      throw toAppError(err);
    }
    return toTicketView(await this.withOutage(row, room.name));
  }

  /**
   * A blocking ticket takes its room out of service until it is resolved: its outage starts now.
   * After the ticket's own workflow (the report is tracked whatever happens here); a failure answers
   * 503 and the client's retry with the same Idempotency-Key opens it.
   */
  private async withOutage(ticket: TicketRow, roomName: string): Promise<TicketRow> {
    if (ticket.severity !== 'blocking' || ticket.outageId || ticket.status === 'resolved' || ticket.status === 'closed')
      return ticket;
    const outageId = await this.outages.openForTicket({
      id: ticket.id,
      roomId: ticket.roomId,
      roomName,
      title: ticket.title,
    });
    return { ...ticket, outageId };
  }

  async get(principal: Principal, id: string): Promise<TicketView> {
    return toTicketView(await this.visible(principal, id));
  }

  async list(principal: Principal, query: z.infer<typeof listTicketsQuery>): Promise<{ tickets: TicketView[] }> {
    if (principal.kind === 'display' && query.roomId !== undefined && query.roomId !== principal.roomId)
      throw forbidden('This display token is bound to another room.');
    const rows = await listTickets(this.deps.dataSource, {
      ...query,
      ...(principal.kind === 'display' ? { roomId: principal.roomId } : {}),
      ...(principal.kind === 'user' && !isStaff(principal) ? { reporterId: principal.userId } : {}),
    });
    return { tickets: rows.map(toTicketView) };
  }

  async move(principal: Principal, id: string, action: TicketAction, note?: string): Promise<TicketView> {
    const ticket = await this.visible(principal, id);
    if (principal.kind !== 'user') throw forbidden('Display devices report problems; people handle them.');
    const mayAct = isStaff(principal) || (!STAFF_ACTIONS.includes(action) && ticket.reporterId === principal.userId);
    if (!mayAct) throw forbidden(`Only facility staff may ${action} a ticket.`);
    return this.send(ticket, (handle) =>
      handle.executeUpdate(moveTicketUpdate, {
        args: [{ action, actorId: principal.userId, ...(note ? { note } : {}) }],
      }),
    );
  }

  async assign(principal: Principal, id: string, assigneeId: string): Promise<TicketView> {
    const ticket = await this.visible(principal, id);
    if (principal.kind !== 'user' || !isStaff(principal)) throw forbidden('Only facility staff assign tickets.');
    const assignee = await findUserById(this.deps.dataSource, assigneeId);
    if (!assignee || (assignee.role !== 'facility_manager' && assignee.role !== 'admin'))
      throw policyViolation('A ticket is assigned to a facility manager or an admin.', { assigneeId });
    return this.send(ticket, (handle) =>
      handle.executeUpdate(assignTicketUpdate, { args: [{ assigneeId, actorId: principal.userId }] }),
    );
  }

  async comments(principal: Principal, id: string): Promise<{ comments: TicketComment[] }> {
    await this.visible(principal, id);
    return { comments: (await listTicketComments(this.deps.dataSource, id)).map(toComment) };
  }

  async comment(principal: Principal, id: string, text: string): Promise<TicketComment> {
    await this.visible(principal, id);
    if (principal.kind !== 'user') throw forbidden('Display devices cannot comment.');
    const row = await insertTicketComment(this.deps.dataSource, {
      id: randomUUID(),
      ticketId: id,
      authorId: principal.userId,
      text,
    });
    if (!row) throw new AppError(500, 'INTERNAL', 'The comment was not written', undefined, false);
    return toComment(row);
  }

  /** Staff see every ticket; a person their own reports; a display its room's. Anything else is 404. */
  private async visible(principal: Principal, id: string): Promise<TicketEntity> {
    const row = await findTicket(this.deps.dataSource, id);
    const sees =
      row &&
      (principal.kind === 'display'
        ? row.roomId === principal.roomId
        : isStaff(principal) || row.reporterId === principal.userId);
    if (!row || !sees) throw notFound('Ticket');
    return row;
  }

  private async send(
    ticket: TicketEntity,
    call: (handle: ReturnType<AppDeps['temporal']['workflow']['getHandle']>) => Promise<TicketView>,
  ): Promise<TicketView> {
    try {
      return await withTemporalDeadline(this.deps.temporal, TEMPORAL_CALL_TIMEOUT_MS, () =>
        call(this.deps.temporal.workflow.getHandle(ticketWorkflowId(ticket.id))),
      );
    } catch (err) {
      const failure = failureOf(err);
      if (failure?.type === TicketFailureTypes.invalidState) throw conflict('INVALID_STATE', failure.message);
      if (failure?.type === TicketFailureTypes.reopenWindowClosed)
        throw conflict('REOPEN_WINDOW_CLOSED', failure.message);
      // The workflow ends once the reopen window of a settled ticket has passed.
      if (closedWorkflow(err))
        throw conflict('TICKET_CLOSED', 'This ticket is closed for good; report a new one.', { status: ticket.status });
      throw toAppError(err);
    }
  }
}
