import { createHash } from 'node:crypto';
import {
  findTicket,
  insertTicketComment,
  isTicketMessageDelivered,
  recordTicketMailDelivery,
  toTicketView,
  tryLockTicketMessage,
  writeTicketState,
} from '../db/repositories/tickets';
import { findRoomPlace } from '../db/repositories/rooms';
import { findMailAccount, listMailAccountsByRole, type MailAccountRow } from '../db/repositories/users';
import { moderators } from '../db/repositories/reviews';
import { localInstant } from '../mail/local-time';
import { publishTicketUpdated } from '../realtime/publisher';
import { ServerEvents } from '../realtime/events';
import { enqueueWantedWebhooks, ticketUpdatedMessage } from '../webhooks/outbox';
import type { TicketMailKind, TicketState, TicketView } from '../shared/ticket-messages';
import type { ActivityDeps } from './deps';
import { endOutageRow, findOutageRow } from '../db/repositories/outages';
import { closedWorkflow, failureType } from '../infra/temporal-errors';
import { endOutageUpdate, OutageFailureTypes, outageWorkflowId } from '../shared/outage-messages';
import { isTicketActive } from '../shared/ticket-lifecycle';

const PROGRESS: Record<Exclude<TicketMailKind, 'escalated_acknowledge' | 'escalated_resolve'>, string> = {
  reported: 'has been reported',
  acknowledge: 'was acknowledged by the facility team',
  start: 'is being worked on',
  resolve: 'was resolved',
  close: 'was closed',
  reopen: 'was reopened',
  assigned: 'was assigned to someone on the facility team',
};

/** Stable per ticket, kind, version and recipient: a retried activity builds the same Message-ID. */
export function ticketMessageId(ticketId: string, kind: TicketMailKind, version: number, email: string): string {
  const recipient = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 16);
  return `<ticket.${ticketId}.${kind}.v${version}.${recipient}@roombook>`;
}

export function createTicketActivities(
  deps: Pick<ActivityDeps, 'dataSource' | 'redis' | 'mailer' | 'config' | 'temporal'>,
) {
  const { dataSource: db, mailer, config } = deps;

  /**
   * A blocking ticket that is resolved or closed ends its outage: the outage's workflow writes the
   * end, tells the room's displays and offers the time to the waitlist. Safe to repeat.
   */
  async function endOutageOf(ticket: TicketView): Promise<void> {
    if (!ticket.outageId || isTicketActive(ticket.status)) return;
    const outage = await findOutageRow(db, ticket.outageId);
    if (!outage || outage.ended_at) return;
    try {
      await deps.temporal.workflow
        .getHandle(outageWorkflowId(outage.id))
        .executeUpdate(endOutageUpdate, { args: [{ by: `ticket:${ticket.id}` }] });
    } catch (err) {
      // Over already (its until passed, or staff ended it), or its run is gone: the row says so.
      if (failureType(err) === OutageFailureTypes.ended) return;
      if (closedWorkflow(err)) {
        await endOutageRow(db, outage.id, new Date());
        return;
      }
      throw err;
    }
  }

  async function mailOnce(
    ticket: TicketView,
    kind: TicketMailKind,
    reader: MailAccountRow,
    message: { subject: string; text: string },
  ): Promise<boolean> {
    const messageId = ticketMessageId(ticket.id, kind, ticket.version, reader.email);
    return db.transaction(async (tx) => {
      // Another attempt holds the message: it will record it; this one skips it.
      if (!(await tryLockTicketMessage(tx, messageId))) return false;
      if (await isTicketMessageDelivered(tx, messageId)) return false;
      await mailer.sendMail({
        from: config.mailFrom,
        to: reader.display_name ? { name: reader.display_name, address: reader.email } : reader.email,
        subject: message.subject,
        messageId,
        text: message.text,
        headers: { 'X-Roombook-Ticket': ticket.id, 'X-Roombook-Kind': kind },
      });
      await recordTicketMailDelivery(tx, { messageId, ticketId: ticket.id, kind, recipient: reader.email });
      return true;
    });
  }

  return {
    /** Writes the state the ticket's workflow holds (and the note of a move as a comment); answers the Ticket JSON. */
    async saveTicketState(input: {
      ticketId: string;
      state: TicketState;
      comment?: { id: string; authorId: string; text: string };
    }): Promise<TicketView> {
      const saved = await db.transaction(async (tx) => {
        await writeTicketState(tx, { id: input.ticketId, ...input.state });
        if (input.comment) await insertTicketComment(tx, { ticketId: input.ticketId, ...input.comment });
        const row = await findTicket(tx, input.ticketId);
        if (!row) throw new Error(`Ticket ${input.ticketId} is gone`);
        return toTicketView(row);
      });
      // Also when the write was a repeat: a retry must still end the outage.
      await endOutageOf(saved);
      return saved;
    },

    /**
     * Tells people of a ticket's change: ticket.updated to staff and the room, then mail, exactly
     * once per recipient (ticket_mail_deliveries): the reporter hears of progress; facility
     * managers hear of a service level that passed.
     */
    async announceTicket(input: { ticketId: string; kind: TicketMailKind }): Promise<{ mailed: number }> {
      const row = await findTicket(db, input.ticketId);
      if (!row) return { mailed: 0 };
      const ticket = toTicketView(row);
      const staff = await moderators(db);
      await publishTicketUpdated(
        deps,
        {
          eventId: `ticket:${ticket.id}#v${ticket.version}#${ServerEvents.ticketUpdated}`,
          version: ticket.version,
          timestamp: new Date().toISOString(),
          roomId: ticket.roomId,
          ticket,
        },
        staff.map((s) => s.id),
      );
      // The webhooks' outbox, from the one place every ticket change is announced (the report
      // itself included, which saveTicketState never writes). A failure retries the announcement.
      await enqueueWantedWebhooks(deps, [ticketUpdatedMessage(ticket, input.kind)]);
      const room = (await findRoomPlace(db, ticket.roomId)) ?? {
        name: 'the room',
        building: '',
        floor: '',
        timezone: 'UTC',
      };
      const where = [room.name, room.building].filter(Boolean).join(', ');
      let mailed = 0;
      if (input.kind === 'escalated_acknowledge' || input.kind === 'escalated_resolve') {
        const deadline = input.kind === 'escalated_acknowledge' ? 'acknowledged' : 'resolved';
        const due = input.kind === 'escalated_acknowledge' ? ticket.ackDueAt : ticket.resolveDueAt;
        for (const manager of await listMailAccountsByRole(db, 'facility_manager')) {
          const sent = await mailOnce(ticket, input.kind, manager, {
            subject: `Service level missed: "${ticket.title}" (${ticket.severity}) in ${room.name} was not ${deadline} in time`,
            text: [
              `A ${ticket.severity} ${ticket.category} ticket in ${where} should have been ${deadline} by ${localInstant(due, manager.timezone)}.`,
              `It is ${ticket.status.replace('_', ' ')}.`,
              '',
              `Title: ${ticket.title}`,
              ...(ticket.equipment ? [`Equipment: ${ticket.equipment}`] : []),
              ...(ticket.description ? ['', ticket.description] : []),
              '',
              `Ticket ${ticket.id}`,
            ].join('\n'),
          });
          if (sent) mailed += 1;
        }
        return { mailed };
      }
      const reporter = ticket.reporterId ? await findMailAccount(db, ticket.reporterId) : undefined;
      if (!reporter || reporter.role === 'display') return { mailed };
      const sent = await mailOnce(ticket, input.kind, reporter, {
        subject: `Your report "${ticket.title}" ${PROGRESS[input.kind]}`,
        text: [
          `Your report about ${where} ${PROGRESS[input.kind]}.`,
          `Status: ${ticket.status.replace('_', ' ')}.`,
          '',
          `Ticket ${ticket.id}`,
        ].join('\n'),
      });
      return { mailed: sent ? 1 : 0 };
    },
  };
}

export type TicketActivities = ReturnType<typeof createTicketActivities>;
