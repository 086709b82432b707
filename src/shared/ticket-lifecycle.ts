/**
 * A facility ticket's states and the moves between them: pure rules shared by the API (which
 * refuses a move before asking the workflow), the ticket's workflow (its update validator) and the
 * unit tests. Sandbox-safe: no I/O, no clock; times come in as arguments.
 */

export const TICKET_CATEGORIES = ['equipment', 'cleaning', 'facilities', 'it', 'other'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_SEVERITIES = ['low', 'normal', 'blocking'] as const;
export type TicketSeverity = (typeof TICKET_SEVERITIES)[number];

export const TICKET_STATUSES = ['open', 'acknowledged', 'in_progress', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_ACTIONS = ['acknowledge', 'start', 'resolve', 'close', 'reopen'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** Where each action may start from, and where it leads. */
const MOVES: Record<TicketAction, { from: readonly TicketStatus[]; to: TicketStatus }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  start: { from: ['open', 'acknowledged'], to: 'in_progress' },
  resolve: { from: ['open', 'acknowledged', 'in_progress'], to: 'resolved' },
  // Staff may close a ticket they will not fix; the reporter may withdraw theirs.
  close: { from: ['open', 'acknowledged', 'in_progress', 'resolved'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'open' },
};

/** Still waiting for someone to fix it: the service-level timers run, and its equipment shows as faulty. */
export const isTicketActive = (status: TicketStatus): boolean =>
  status === 'open' || status === 'acknowledged' || status === 'in_progress';

export type TicketMoveRefusal =
  | { ok: false; reason: 'invalid_state'; message: string }
  | { ok: false; reason: 'reopen_window_closed'; message: string };

/**
 * The status an action leads to, or why it may not happen now. A reopen is allowed until
 * `reopenSeconds` after the ticket was resolved (or closed, when it was closed unresolved).
 */
export function nextTicketStatus(
  current: { status: TicketStatus; settledAt?: string },
  action: TicketAction,
  now: number,
  reopenSeconds: number,
): { ok: true; status: TicketStatus } | TicketMoveRefusal {
  const move = MOVES[action];
  if (!move.from.includes(current.status))
    return {
      ok: false,
      reason: 'invalid_state',
      message: `A ${current.status.replace('_', ' ')} ticket cannot be asked to ${action}.`,
    };
  if (action === 'reopen' && current.settledAt && now > Date.parse(current.settledAt) + reopenSeconds * 1000)
    return {
      ok: false,
      reason: 'reopen_window_closed',
      message: `A ticket can be reopened only within ${reopenSeconds} seconds of being resolved; report a new one.`,
    };
  return { ok: true, status: move.to };
}

/** The service-level deadlines of a ticket opened (or reopened) at `openedAt`. */
export function ticketDeadlines(
  openedAt: number,
  sla: { acknowledgeSeconds: number; resolveSeconds: number },
): { ackDueAt: string; resolveDueAt: string } {
  return {
    ackDueAt: new Date(openedAt + sla.acknowledgeSeconds * 1000).toISOString(),
    resolveDueAt: new Date(openedAt + sla.resolveSeconds * 1000).toISOString(),
  };
}

/**
 * Which service-level deadline is still ahead of a ticket in this status, the earliest first:
 * acknowledging counts while it is open, resolving while it is active. Deadlines already
 * escalated are not watched again.
 */
export function pendingSlaDeadline(
  ticket: { status: TicketStatus; ackDueAt: string; resolveDueAt: string },
  escalated: { acknowledge: boolean; resolve: boolean },
): { deadline: 'acknowledge' | 'resolve'; at: string } | undefined {
  const candidates: { deadline: 'acknowledge' | 'resolve'; at: string }[] = [];
  if (ticket.status === 'open' && !escalated.acknowledge)
    candidates.push({ deadline: 'acknowledge', at: ticket.ackDueAt });
  if (isTicketActive(ticket.status) && !escalated.resolve)
    candidates.push({ deadline: 'resolve', at: ticket.resolveDueAt });
  candidates.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return candidates[0];
}

/** The state of equipment that an active ticket names: a blocking ticket means it is broken. */
export const equipmentStatusFor = (severity: TicketSeverity): 'degraded' | 'broken' =>
  severity === 'blocking' ? 'broken' : 'degraded';
