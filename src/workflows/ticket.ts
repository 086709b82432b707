import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import { TicketStatusKey } from '../shared/search-attributes';
import type { TicketActivities } from '../activities/tickets';
import {
  isTicketActive,
  nextTicketStatus,
  pendingSlaDeadline,
  ticketDeadlines,
  type TicketAction,
  type TicketMoveRefusal,
} from '../shared/ticket-lifecycle';
import {
  assignTicketUpdate,
  moveTicketUpdate,
  TicketFailureTypes,
  ticketStateQuery,
  type TicketMailKind,
  type TicketState,
  type TicketWorkflowInput,
} from '../shared/ticket-messages';

const db = proxyActivities<TicketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds' },
});

// Mail and events: retried for as long as SMTP or Redis is away; the ticket's own state is already saved.
const notify = proxyActivities<TicketActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const ANNOUNCE_AFTER_SAVE = 'ticket-announce-after-save';

const now = () => new Date().getTime();
const iso = (t: number) => new Date(t).toISOString();

function refusal(move: TicketMoveRefusal): ApplicationFailure {
  return ApplicationFailure.create({
    type: move.reason === 'invalid_state' ? TicketFailureTypes.invalidState : TicketFailureTypes.reopenWindowClosed,
    message: move.message,
    nonRetryable: true,
  });
}

/**
 * One facility ticket, `ticket:<id>`. It owns the ticket's status, service-level flags and
 * version (the row is its copy, written by saveTicketState): moves and assignment arrive as
 * updates, validated by the lifecycle rules. While the ticket is active, a durable timer waits for
 * the next service-level deadline (acknowledge while open, resolve while active); when one passes,
 * the ticket is flagged slaBreached and facility managers are mailed. A resolved or closed ticket
 * may be reopened within the reopen window (fresh deadlines); then a resolved ticket closes itself
 * and the workflow ends.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<{ ticketId: string; status: string }> {
  const s: TicketState = {
    status: 'open',
    assigneeId: null,
    ackDueAt: input.ackDueAt,
    resolveDueAt: input.resolveDueAt,
    slaBreached: false,
    settledAt: null,
    version: 1,
  };
  const escalated = { acknowledge: false, resolve: false };
  // What people are still to hear, in order: the report itself first.
  const announcements: TicketMailKind[] = ['reported'];
  let changes = 0;

  const check = (action: TicketAction) => {
    const move = nextTicketStatus(
      { status: s.status, settledAt: s.settledAt ?? undefined },
      action,
      now(),
      input.reopenSeconds,
    );
    if (!move.ok) throw refusal(move);
    return move.status;
  };
  let shownStatus = s.status;
  const save = (comment?: { id: string; authorId: string; text: string }) => {
    if (s.status !== shownStatus) {
      shownStatus = s.status;
      upsertSearchAttributes([{ key: TicketStatusKey, value: s.status }]);
    }
    return db.saveTicketState({ ticketId: input.ticketId, state: { ...s }, ...(comment ? { comment } : {}) });
  };

  /**
   * Queues what people are to hear of an update once its row is saved: the announcement reads the
   * row, so one queued before the save could publish the previous version again and the new one
   * never. Histories from before the patch queued it at once.
   */
  const announceOnceSaved = async (kind: TicketMailKind, saving: ReturnType<typeof save>) => {
    if (!patched(ANNOUNCE_AFTER_SAVE)) {
      announcements.push(kind);
      changes += 1;
      return saving;
    }
    const saved = await saving;
    announcements.push(kind);
    changes += 1;
    return saved;
  };

  setHandler(ticketStateQuery, () => ({ ...s }));
  setHandler(
    moveTicketUpdate,
    async (request) => {
      // Checked again: another update may have moved the ticket since the validator ran.
      s.status = check(request.action);
      s.version += 1;
      if (request.action === 'reopen') {
        Object.assign(s, ticketDeadlines(now(), input.sla), { settledAt: null });
        escalated.acknowledge = false;
        escalated.resolve = false;
      } else if (!isTicketActive(s.status)) s.settledAt = iso(now());
      return announceOnceSaved(
        request.action,
        save(request.note ? { id: uuid4(), authorId: request.actorId, text: request.note } : undefined),
      );
    },
    { validator: (request) => void check(request.action) },
  );
  setHandler(
    assignTicketUpdate,
    async ({ assigneeId }) => {
      s.assigneeId = assigneeId;
      s.version += 1;
      return announceOnceSaved('assigned', save());
    },
    {
      validator: (request) => {
        if (s.status === 'closed' || !request.assigneeId)
          throw ApplicationFailure.create({
            type: TicketFailureTypes.invalidState,
            message: 'A closed ticket cannot be assigned; reopen it first.',
            nonRetryable: true,
          });
      },
    },
  );

  for (;;) {
    while (announcements.length > 0)
      await notify.announceTicket({ ticketId: input.ticketId, kind: announcements.shift()! });
    const seen = changes;
    const woken = () => changes !== seen || announcements.length > 0;
    if (isTicketActive(s.status)) {
      const next = pendingSlaDeadline(s, escalated);
      setCurrentDetails(
        next ? `${s.status}; ${next.deadline} due ${next.at}` : `${s.status}; service levels already missed`,
      );
      if (!next) {
        await condition(woken);
        continue;
      }
      const left = Date.parse(next.at) - now();
      if (left > 0 && (await condition(woken, left))) continue;
      escalated[next.deadline] = true;
      s.slaBreached = true;
      s.version += 1;
      await save();
      announcements.push(next.deadline === 'acknowledge' ? 'escalated_acknowledge' : 'escalated_resolve');
      continue;
    }
    // Resolved or closed: open to a reopen until the window ends.
    const until = Date.parse(s.settledAt ?? iso(now())) + input.reopenSeconds * 1000;
    setCurrentDetails(`${s.status}; can be reopened until ${iso(until)}`);
    const left = until - now();
    if (left > 0 && (await condition(woken, left))) continue;
    if (s.status === 'resolved') {
      s.status = 'closed';
      s.version += 1;
      await save();
      await notify.announceTicket({ ticketId: input.ticketId, kind: 'close' });
    }
    break;
  }
  await condition(allHandlersFinished);
  return { ticketId: input.ticketId, status: s.status };
}
