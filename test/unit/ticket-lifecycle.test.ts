import fc from 'fast-check';
import {
  equipmentStatusFor,
  isTicketActive,
  nextTicketStatus,
  pendingSlaDeadline,
  ticketDeadlines,
  TICKET_ACTIONS,
  TICKET_STATUSES,
} from '../../src/shared/ticket-lifecycle';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

describe('ticket lifecycle', () => {
  test('when a ticket goes the usual way, then each action leads to the next state', () => {
    const steps = [
      ['open', 'acknowledge', 'acknowledged'],
      ['acknowledged', 'start', 'in_progress'],
      ['in_progress', 'resolve', 'resolved'],
      ['resolved', 'close', 'closed'],
    ] as const;
    for (const [from, action, to] of steps)
      expect(nextTicketStatus({ status: from }, action, T0, 60)).toEqual({ ok: true, status: to });
  });

  test('when an action does not fit the state, then it is refused as invalid_state', () => {
    expect(nextTicketStatus({ status: 'closed' }, 'acknowledge', T0, 60)).toMatchObject({
      ok: false,
      reason: 'invalid_state',
    });
    expect(nextTicketStatus({ status: 'in_progress' }, 'acknowledge', T0, 60)).toMatchObject({ ok: false });
    expect(nextTicketStatus({ status: 'open' }, 'reopen', T0, 60)).toMatchObject({ ok: false });
    expect(nextTicketStatus({ status: 'closed' }, 'close', T0, 60)).toMatchObject({ ok: false });
  });

  test('when a resolved ticket is reopened, then only within the window after it settled', () => {
    const settledAt = iso(T0);
    expect(nextTicketStatus({ status: 'resolved', settledAt }, 'reopen', T0 + 60_000, 60)).toEqual({
      ok: true,
      status: 'open',
    });
    expect(nextTicketStatus({ status: 'closed', settledAt }, 'reopen', T0 + 60_001, 60)).toMatchObject({
      ok: false,
      reason: 'reopen_window_closed',
    });
  });

  test('for any status and action, then a move either leads somewhere else or is refused, never to the same state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TICKET_STATUSES), fc.constantFrom(...TICKET_ACTIONS), (status, action) => {
        const move = nextTicketStatus({ status }, action, T0, 60);
        if (move.ok) expect(move.status).not.toBe(status);
        else expect(move.reason).toBe('invalid_state');
      }),
    );
  });

  test('when deadlines are computed, then they count from the opening by the severity service level', () => {
    expect(ticketDeadlines(T0, { acknowledgeSeconds: 2, resolveSeconds: 10 })).toEqual({
      ackDueAt: '2026-12-01T09:00:02.000Z',
      resolveDueAt: '2026-12-01T09:00:10.000Z',
    });
  });

  test('when a ticket is open, then the acknowledge deadline comes first; acknowledged, only the resolve one; settled, none', () => {
    const due = { ackDueAt: iso(T0 + 2000), resolveDueAt: iso(T0 + 10_000) };
    const none = { acknowledge: false, resolve: false };
    expect(pendingSlaDeadline({ status: 'open', ...due }, none)).toEqual({ deadline: 'acknowledge', at: due.ackDueAt });
    expect(pendingSlaDeadline({ status: 'open', ...due }, { acknowledge: true, resolve: false })).toEqual({
      deadline: 'resolve',
      at: due.resolveDueAt,
    });
    expect(pendingSlaDeadline({ status: 'acknowledged', ...due }, none)).toEqual({
      deadline: 'resolve',
      at: due.resolveDueAt,
    });
    expect(pendingSlaDeadline({ status: 'resolved', ...due }, none)).toBeUndefined();
    expect(pendingSlaDeadline({ status: 'in_progress', ...due }, { acknowledge: true, resolve: true })).toBeUndefined();
  });

  test('when a ticket names equipment, then a blocking one marks it broken and others degraded while active', () => {
    expect(equipmentStatusFor('blocking')).toBe('broken');
    expect(equipmentStatusFor('normal')).toBe('degraded');
    expect(equipmentStatusFor('low')).toBe('degraded');
    expect(TICKET_STATUSES.filter(isTicketActive)).toEqual(['open', 'acknowledged', 'in_progress']);
  });
});
