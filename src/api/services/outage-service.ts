import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { z } from 'zod';
import { deleteOutage, findOutage, insertOutage, listRoomOutages, type OutageRow } from '../../db/repositories/outages';
import { RoomRepository } from '../../db/repositories/rooms';
import { conflict, notFound, policyViolation } from '../../domain/errors';
import type { Principal } from '../../domain/principal';
import { invalidateRoomAvailability } from '../../infra/availability-cache';
import { withTemporalDeadline } from '../../infra/temporal';
import { closedWorkflow, failureType, toAppError } from '../../infra/temporal-errors';
import {
  endOutageUpdate,
  OUTAGE_WORKFLOW_TYPE,
  OutageFailureTypes,
  outageWorkflowId,
  type OutageView,
  type OutageWorkflowInput,
} from '../../shared/outage-messages';
import { OutageIdKey, OutageOutcomeKey, RoomIdKey, TicketIdKey } from '../../shared/search-attributes';
import type { AppDeps } from '../deps';
import type { createOutageSchema } from '../schemas/outages';

const TEMPORAL_CALL_TIMEOUT_MS = 20_000;

/**
 * Room outages: the API writes the outage's row (under the room's outage lock, so from then on the
 * bookings guard refuses the window), then starts its workflow `outage:<id>`, which relocates what
 * it displaces and owns its end.
 */
export class OutageService {
  private readonly rooms: RoomRepository;

  constructor(private readonly deps: Pick<AppDeps, 'dataSource' | 'temporal' | 'config' | 'redis'>) {
    this.rooms = new RoomRepository(deps.dataSource);
  }

  /** POST /rooms/:id/outages (staff; the route checks the role). */
  async open(principal: Principal, roomId: string, body: z.infer<typeof createOutageSchema>): Promise<OutageView> {
    const room = await this.rooms.find(roomId);
    if (!room) throw notFound('Room');
    const now = Date.now();
    const from = Math.max(Date.parse(body.from), now);
    const until = body.until === undefined ? undefined : Date.parse(body.until);
    if (until !== undefined && until <= from)
      throw policyViolation(
        until <= now ? 'The outage would already be over: until must be in the future.' : 'until must be after from.',
        { from: new Date(from).toISOString(), until: new Date(until).toISOString() },
      );
    const row = await insertOutage(this.deps.dataSource, {
      roomId,
      from: new Date(from),
      until: until === undefined ? null : new Date(until),
      reason: body.reason,
      createdBy: principal.kind === 'user' ? principal.userId : undefined,
    });
    try {
      await this.start(row, room.name);
    } catch (err) {
      // No workflow, no outage: nobody would relocate its bookings or end it.
      await deleteOutage(this.deps.dataSource, row.id);
      throw toAppError(err);
    }
    await this.forgetAvailability(roomId);
    return this.view(row.id);
  }

  /**
   * A blocking ticket's outage: from now, open-ended, one per ticket. Safe to call again (a retried
   * report): the row and the workflow already there are kept.
   */
  async openForTicket(ticket: { id: string; roomId: string; roomName: string; title: string }): Promise<string> {
    const row = await insertOutage(this.deps.dataSource, {
      roomId: ticket.roomId,
      from: new Date(),
      until: null,
      reason: `blocking ticket: ${ticket.title}`,
      ticketId: ticket.id,
    });
    try {
      await this.start(row, ticket.roomName);
    } catch (err) {
      throw toAppError(err);
    }
    await this.forgetAvailability(ticket.roomId);
    return row.id;
  }

  async get(id: string): Promise<OutageView> {
    return this.view(id);
  }

  async listForRoom(roomId: string): Promise<{ outages: OutageView[] }> {
    if (!(await this.rooms.find(roomId))) throw notFound('Room');
    return { outages: await listRoomOutages(this.deps.dataSource, roomId) };
  }

  /** POST /outages/:id/end: the workflow ends it (row, displays, waitlist) and answers with it. */
  async end(principal: Principal, id: string): Promise<OutageView> {
    const outage = await this.view(id);
    const by = principal.kind === 'user' ? principal.userId : `display:${principal.displayTokenId}`;
    try {
      return await withTemporalDeadline(this.deps.temporal, TEMPORAL_CALL_TIMEOUT_MS, () =>
        this.deps.temporal.workflow.getHandle(outageWorkflowId(id)).executeUpdate(endOutageUpdate, { args: [{ by }] }),
      );
    } catch (err) {
      if (failureType(err) === OutageFailureTypes.ended || closedWorkflow(err))
        throw conflict('OUTAGE_ENDED', 'This outage has already ended.', { status: 'ended', endedAt: outage.endedAt });
      throw toAppError(err);
    }
  }

  /** Searches cached before the outage must not offer its window; a Redis outage must not fail the outage. */
  private async forgetAvailability(roomId: string): Promise<void> {
    await invalidateRoomAvailability(this.deps.redis, roomId).catch(() => undefined);
  }

  private async view(id: string): Promise<OutageView> {
    const outage = await findOutage(this.deps.dataSource, id);
    if (!outage) throw notFound('Outage');
    return outage;
  }

  private async start(row: OutageRow, roomName: string): Promise<void> {
    const input: OutageWorkflowInput = {
      outageId: row.id,
      roomId: row.room_id,
      from: row.starts_at.toISOString(),
      ...(row.ends_at ? { until: row.ends_at.toISOString() } : {}),
    };
    try {
      await withTemporalDeadline(this.deps.temporal, TEMPORAL_CALL_TIMEOUT_MS, () =>
        this.deps.temporal.workflow.start(OUTAGE_WORKFLOW_TYPE, {
          workflowId: outageWorkflowId(row.id),
          taskQueue: this.deps.config.temporal.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          // Operators find an outage and its relocations by OutageId, the room's by RoomId.
          typedSearchAttributes: [
            { key: OutageIdKey, value: row.id },
            { key: RoomIdKey, value: row.room_id },
            { key: OutageOutcomeKey, value: row.starts_at.getTime() > Date.now() ? 'scheduled' : 'active' },
            ...(row.ticket_id ? [{ key: TicketIdKey, value: row.ticket_id }] : []),
          ],
          staticSummary: `Outage · ${roomName} · ${row.reason}`,
        }),
      );
    } catch (err) {
      // A repeat for a ticket whose outage ran and closed already: nothing to start again.
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }
}
