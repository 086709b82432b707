import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Config } from '../../src/config';
import { eventually } from '../support/eventually';
import { createRoom, createUser, type TestUser } from '../support/fixtures';
import { call, request } from '../support/http';
import { startApi, startWorker, type TestStack, type TestWorker } from '../support/stack';
import { connectClient } from '../realtime/support';

/** Seconds-scale service levels: escalations arrive within the test. */
const TICKETS: Config['tickets'] = {
  sla: {
    low: { acknowledgeSeconds: 600, resolveSeconds: 3600 },
    normal: { acknowledgeSeconds: 600, resolveSeconds: 3600 },
    blocking: { acknowledgeSeconds: 2, resolveSeconds: 600 },
  },
  reopenSeconds: 600,
};

interface TicketMail {
  to: string;
  kind: string;
  subject: string;
  text: string;
}

/** Every message of one ticket that reached the run's SMTP server, in arrival order. */
async function ticketMails(ticketId: string): Promise<TicketMail[]> {
  const dir = process.env.TEST_MAIL_DIR;
  if (!dir) throw new Error('TEST_MAIL_DIR is not set: run the tests with `npm test`.');
  const out: TicketMail[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()) {
    const raw = readFileSync(join(dir, file), 'utf8');
    if (!raw.includes(`X-Roombook-Ticket: ${ticketId}`)) continue;
    const mail = await simpleParser(raw);
    out.push({
      to: /^X-Envelope-To: (.*)\r?\n/.exec(raw)?.[1].trim().toLowerCase() ?? '',
      kind: String(mail.headers.get('x-roombook-kind') ?? ''),
      subject: mail.subject ?? '',
      text: mail.text ?? '',
    });
  }
  return out;
}

describe('facility tickets', () => {
  let stack: TestStack;
  let worker: TestWorker;
  let manager: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    stack = await startApi({ tickets: TICKETS });
    worker = await startWorker(stack.config, stack.deps);
    manager = await createUser(stack, { role: 'facility_manager' });
    member = await createUser(stack);
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.close();
  });

  test('when a member reports a problem and staff work it through, then each move is kept and the reporter hears of it', async () => {
    const room = await createRoom(stack);
    const reported = await call(stack, member, 'POST', `/rooms/${room.id}/tickets`, {
      category: 'it',
      severity: 'normal',
      title: 'Screen flickers',
      description: 'The left screen flickers every few seconds.',
    });
    expect(reported.status).toBe(201);
    expect(reported.body).toMatchObject({
      roomId: room.id,
      reporterId: member.id,
      reportedByDisplay: false,
      status: 'open',
      slaBreached: false,
      version: 1,
    });
    const id: string = reported.body.id;
    expect(Date.parse(reported.body.ackDueAt) - Date.parse(reported.body.createdAt)).toBeGreaterThan(590_000);

    // Members may not acknowledge; a move that does not fit the state is a 409 that changes nothing.
    expect((await call(stack, member, 'POST', `/tickets/${id}/acknowledge`, {})).status).toBe(403);
    expect((await call(stack, manager, 'POST', `/tickets/${id}/reopen`, {})).body.error.code).toBe('INVALID_STATE');

    const acknowledged = await call(stack, manager, 'POST', `/tickets/${id}/acknowledge`, { note: 'On it.' });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ status: 'acknowledged', version: 2 });
    expect(
      (await call(stack, manager, 'POST', `/tickets/${id}/assign`, { assigneeId: manager.id })).body,
    ).toMatchObject({
      assigneeId: manager.id,
    });
    expect((await call(stack, manager, 'POST', `/tickets/${id}/assign`, { assigneeId: member.id })).status).toBe(422);
    expect((await call(stack, manager, 'POST', `/tickets/${id}/start`, {})).body.status).toBe('in_progress');
    const resolved = await call(stack, manager, 'POST', `/tickets/${id}/resolve`, { note: 'Cable replaced.' });
    expect(resolved.body).toMatchObject({ status: 'resolved', version: 5 });
    expect(resolved.body.settledAt).toBeDefined();

    // The reporter may reopen within the window: back to open with fresh deadlines.
    const reopened = await call(stack, member, 'POST', `/tickets/${id}/reopen`, { note: 'Flickers again.' });
    expect(reopened.body).toMatchObject({ status: 'open', version: 6 });
    expect(reopened.body.settledAt).toBeUndefined();

    expect((await call(stack, member, 'POST', `/tickets/${id}/comments`, { text: 'Still there at 3pm.' })).status).toBe(
      201,
    );
    const comments = await call(stack, member, 'GET', `/tickets/${id}/comments`);
    expect(comments.body.comments.map((c: { text: string }) => c.text)).toEqual([
      'On it.',
      'Cable replaced.',
      'Flickers again.',
      'Still there at 3pm.',
    ]);

    // Reads: the reporter and staff see it; another member does not.
    const stranger = await createUser(stack);
    expect((await call(stack, stranger, 'GET', `/tickets/${id}`)).status).toBe(404);
    expect((await call(stack, stranger, 'GET', '/tickets')).body.tickets).toEqual([]);
    const mine = await call(stack, member, 'GET', `/tickets?roomId=${room.id}`);
    expect(mine.body.tickets.map((t: { id: string }) => t.id)).toEqual([id]);
    const staffView = await call(stack, manager, 'GET', `/tickets?roomId=${room.id}&status=open`);
    expect(staffView.body.tickets).toEqual([expect.objectContaining({ id, status: 'open', version: 6 })]);

    const mails = await eventually(
      () => ticketMails(id),
      (m) => m.filter((x) => x.to === member.email.toLowerCase()).length >= 6,
    );
    expect(mails.filter((m) => m.to === member.email.toLowerCase()).map((m) => m.kind)).toEqual([
      'reported',
      'acknowledge',
      'assigned',
      'start',
      'resolve',
      'reopen',
    ]);
  });

  test('when an open ticket names a piece of equipment, then the room shows it faulty until the ticket is resolved', async () => {
    const building = `Tickets ${randomUUID().slice(0, 8)}`;
    const room = await createRoom(stack, { building });
    await stack.deps.dataSource.query(
      `UPDATE rooms SET equipment = '[{"name":"Projector","status":"ok"},{"name":"Whiteboard","status":"ok"}]' WHERE id = $1`,
      [room.id],
    );
    const equipmentOf = async () => (await call(stack, member, 'GET', `/rooms/${room.id}`)).body.equipment;
    const reported = await call(stack, member, 'POST', `/rooms/${room.id}/tickets`, {
      category: 'equipment',
      severity: 'normal',
      title: 'Projector shows no picture',
      equipment: 'projector',
    });
    expect(reported.status).toBe(201);
    expect(await equipmentOf()).toEqual([
      { name: 'Projector', status: 'degraded' },
      { name: 'Whiteboard', status: 'ok' },
    ]);
    const listed = await call(stack, member, 'GET', `/rooms?building=${encodeURIComponent(building)}`);
    expect(listed.body.items.find((r: { id: string }) => r.id === room.id)?.equipment[0]).toEqual({
      name: 'Projector',
      status: 'degraded',
    });
    expect((await call(stack, manager, 'POST', `/tickets/${reported.body.id}/resolve`, {})).body.status).toBe(
      'resolved',
    );
    expect(await equipmentOf()).toEqual([
      { name: 'Projector', status: 'ok' },
      { name: 'Whiteboard', status: 'ok' },
    ]);
  });

  test('when the body is bad or the room unknown, then a 4xx answers and no ticket is made', async () => {
    const room = await createRoom(stack);
    const bad = await call(stack, member, 'POST', `/rooms/${room.id}/tickets`, {
      category: 'plumbing',
      severity: 'urgent',
      title: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const missing = await call(stack, member, 'POST', '/rooms/00000000-0000-4000-8000-000000000000/tickets', {
      category: 'it',
      severity: 'low',
      title: 'Nothing',
    });
    expect(missing.status).toBe(404);
    const unknownItem = await call(stack, member, 'POST', `/rooms/${room.id}/tickets`, {
      category: 'equipment',
      severity: 'low',
      title: 'Broken',
      equipment: 'Hologram',
    });
    expect(unknownItem.status).toBe(422);
    const [{ count }] = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS count FROM tickets WHERE room_id = $1',
      [room.id],
    );
    expect(count).toBe(0);
  });

  test("when the room's display reports a problem, then the ticket is the display's, the same key twice is one ticket, and the display and staff hear of its changes", async () => {
    const room = await createRoom(stack);
    const issued = await call(stack, manager, 'POST', `/rooms/${room.id}/display-tokens`, { name: 'Door' });
    expect(issued.status).toBe(201);
    const body = { category: 'cleaning', severity: 'low', title: 'Spilled coffee' };
    const headers = { 'idempotency-key': 'display-report-0001' };
    const first = await request(stack, 'POST', `/rooms/${room.id}/tickets`, {
      token: issued.body.token,
      body,
      headers,
    });
    const again = await request(stack, 'POST', `/rooms/${room.id}/tickets`, {
      token: issued.body.token,
      body,
      headers,
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ reportedByDisplay: true, status: 'open' });
    expect(first.body.reporterId).toBeUndefined();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    // The room's display and staff hear of it live; the ticket's version orders the events.
    const display = await connectClient(stack, issued.body.token);
    const staffSocket = await connectClient(stack, manager.token);
    try {
      expect((await display.request('room:subscribe', { roomId: room.id })).ok).toBe(true);
      const acknowledged = await call(stack, manager, 'POST', `/tickets/${first.body.id}/acknowledge`, {});
      expect(acknowledged.body.version).toBe(2);
      for (const client of [display, staffSocket]) {
        const heard = await eventually(
          async () => client.of('ticket.updated'),
          (events) => events.some((e) => e.ticket.id === first.body.id && e.version === 2),
        );
        expect(heard.find((e) => e.version === 2)).toMatchObject({
          roomId: room.id,
          eventId: `ticket:${first.body.id}#v2#ticket.updated`,
          ticket: { id: first.body.id, status: 'acknowledged' },
        });
      }
    } finally {
      display.close();
      staffSocket.close();
    }

    const other = await createRoom(stack);
    expect(
      (await request(stack, 'POST', `/rooms/${other.id}/tickets`, { token: issued.body.token, body })).status,
    ).toBe(403);
  });

  test('when nobody acknowledges a blocking ticket in time, then facility managers get an escalation mail and it is flagged', async () => {
    const room = await createRoom(stack);
    const reported = await call(stack, member, 'POST', `/rooms/${room.id}/tickets`, {
      category: 'facilities',
      severity: 'blocking',
      title: 'Water on the floor',
    });
    expect(reported.status).toBe(201);
    const id: string = reported.body.id;
    const escalations = await eventually(
      () => ticketMails(id),
      (m) => m.some((x) => x.kind === 'escalated_acknowledge' && x.to === manager.email.toLowerCase()),
    );
    const mail = escalations.find((m) => m.kind === 'escalated_acknowledge')!;
    expect(mail.subject).toContain('Water on the floor');
    expect(mail.text).toContain('should have been acknowledged');
    // Members are not facility managers: the escalation is not theirs.
    expect(escalations.filter((m) => m.kind === 'escalated_acknowledge').map((m) => m.to)).not.toContain(
      member.email.toLowerCase(),
    );
    const flagged = await eventually(
      () => call(stack, manager, 'GET', `/tickets/${id}`),
      (r) => r.body.slaBreached === true,
    );
    expect(flagged.body.status).toBe('open');

    // Operators find it in Temporal by its search attributes; the status one follows the ticket.
    expect((await call(stack, manager, 'POST', `/tickets/${id}/acknowledge`, {})).body.status).toBe('acknowledged');
    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const wf of stack.deps.temporal.workflow.list({
          query: `TicketId = "${id}" AND TicketStatus = "acknowledged" AND TicketSeverity = "blocking" AND RoomId = "${room.id}"`,
        }))
          ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.length === 1,
    );
    expect(found).toEqual([`ticket:${id}`]);

    // The api's /metrics counts tickets by severity and status, and those that missed a service level.
    const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    expect(
      Number(/^roombook_tickets\{severity="blocking",status="acknowledged"\} (\d+)$/m.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);
    expect(
      Number(/^roombook_tickets_sla_breached\{severity="blocking"\} (\d+)$/m.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);
  });

  test("when the worker stops and another starts after a deadline passed, then the ticket's timer still fires", async () => {
    const room = await createRoom(stack);
    const reported = await call(stack, member, 'POST', `/rooms/${room.id}/tickets`, {
      category: 'it',
      severity: 'blocking',
      title: 'No network',
    });
    const id: string = reported.body.id;
    // The first worker ran the workflow's first task: its timer is set on the server.
    await eventually(
      () => ticketMails(id),
      (m) => m.some((x) => x.kind === 'reported'),
    );
    await worker.stop();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [{ sla_breached: breachedWhileDown }] = await stack.deps.dataSource.query(
      'SELECT sla_breached FROM tickets WHERE id = $1',
      [id],
    );
    expect(breachedWhileDown).toBe(false);

    worker = await startWorker(stack.config, stack.deps);
    await eventually(
      () => ticketMails(id),
      (m) => m.some((x) => x.kind === 'escalated_acknowledge' && x.to === manager.email.toLowerCase()),
    );
    expect((await call(stack, manager, 'GET', `/tickets/${id}`)).body.slaBreached).toBe(true);
  });
});
