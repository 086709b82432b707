import { randomUUID } from 'node:crypto';
import type { SMTPServer } from 'smtp-server';
import { createImipActivities } from '../../src/activities/imip';
import { createInboundMailServer, listenInboundMail } from '../../src/imip/listener';
import { createMailer } from '../../src/mail/transport';
import { inviteWorkflowId, type InviteWorkflowInput } from '../../src/shared/imip-messages';
import {
  book,
  call,
  eventually,
  member,
  room,
  startBookingStack,
  workflowState,
  type BookingStack,
} from '../bookings/support';
import { inviteMessage, repliesTo, sendRaw, type Client, type InviteFields } from './support';

/** A slot days ahead at a whole UTC hour. */
function slot(days: number, hourUtc: number, minutes = 60): { start: string; end: string } {
  const start = new Date(Date.now() + days * 86_400_000);
  start.setUTCHours(hourUtc, 0, 0, 0);
  return { start: start.toISOString(), end: new Date(start.getTime() + minutes * 60_000).toISOString() };
}

describe('room mailboxes (iMIP)', () => {
  let stack: BookingStack;
  let listener: SMTPServer;
  let port: number;
  const mailer = createMailer(process.env.SMTP_URL!);

  beforeAll(async () => {
    stack = await startBookingStack();
    listener = createInboundMailServer(stack.deps);
    port = await listenInboundMail(listener, 0, '127.0.0.1');
  });
  afterAll(async () => {
    mailer.close();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    await stack.stop();
  });

  async function mailbox(roomId: string): Promise<string> {
    const res = await call(stack, await member(stack, { role: 'admin' }), 'GET', `/rooms/${roomId}`);
    expect(res.status).toBe(200);
    return res.body.mailbox as string;
  }

  async function invite(client: Client, fields: InviteFields & { uid: string }): Promise<void> {
    await sendRaw(port, fields.organizer, [fields.room], inviteMessage(client, fields));
  }

  /** Waits for the invite's workflow to finish: what it did is then final. */
  async function handled(roomId: string, fields: InviteFields & { uid: string }) {
    const id = inviteWorkflowId({
      roomId,
      invite: { method: fields.method ?? 'REQUEST', sequence: fields.sequence ?? 0, uid: fields.uid } as never,
    });
    // The listener answered 250 after starting the workflow, so it exists now.
    return stack.deps.temporal.workflow.getHandle(id).result();
  }

  /** The organizer's replies once one has arrived (the reply activity runs after the workflow's booking step). */
  const repliesArrived = (organizer: string) =>
    eventually(
      () => repliesTo(organizer),
      (found) => found.length > 0,
    );

  const bookingsOf = (roomId: string, uid: string) =>
    stack.deps.dataSource.query(
      'SELECT id, status, start_at, end_at, source, ical_uid, series_id FROM bookings WHERE room_id = $1 AND ical_uid = $2 ORDER BY start_at',
      [roomId, uid],
    ) as Promise<
      { id: string; status: string; start_at: Date; end_at: Date; source: string; series_id: string | null }[]
    >;

  const activeIn = (roomId: string) =>
    stack.deps.dataSource.query(
      "SELECT id FROM bookings WHERE room_id = $1 AND status IN ('held', 'pending_approval', 'confirmed', 'checked_in')",
      [roomId],
    ) as Promise<{ id: string }[]>;

  test('when a message is for an address that is not a room mailbox, then it is refused at RCPT TO', async () => {
    const organizer = await member(stack);
    await expect(
      sendRaw(port, organizer.email, ['nobody@rooms.roombook.local'], 'Subject: x\r\n\r\nx'),
    ).rejects.toMatchObject({ responseCode: 550 });
    await expect(sendRaw(port, organizer.email, ['someone@example.test'], 'Subject: x\r\n\r\nx')).rejects.toMatchObject(
      {
        responseCode: 550,
      },
    );
  });

  test.each<Client>(['outlook', 'google', 'apple', 'thunderbird'])(
    'when a verified user invites the room from %s, then it is booked at the invite time and the room answers ACCEPTED from its mailbox',
    async (client) => {
      const r = await room(stack);
      const address = await mailbox(r.id);
      expect(address).toMatch(/^[a-z0-9-]+@rooms\.roombook\.local$/);
      const organizer = await member(stack);
      const fields = {
        room: address,
        organizer: organizer.email,
        uid: `${randomUUID()}@${client}.test`,
        ...slot(3, 9),
      };

      await invite(client, fields);
      const outcome = await handled(r.id, fields);

      expect(outcome.result).toBe('booked');
      const [booking] = await bookingsOf(r.id, fields.uid);
      expect(booking).toMatchObject({ source: 'imip', status: 'confirmed' });
      expect(booking.start_at.toISOString()).toBe(fields.start);
      expect(booking.end_at.toISOString()).toBe(fields.end);
      const view = await call(stack, organizer, 'GET', `/bookings/${booking.id}`);
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({ source: 'imip', icalUid: fields.uid });
      const replies = await repliesArrived(organizer.email);
      expect(replies[0]).toMatchObject({
        from: address,
        method: 'REPLY',
        uid: fields.uid,
        partstat: 'ACCEPTED',
        attendee: address,
        cutype: 'ROOM',
      });
    },
  );

  test('when a booking is made through the API, then its JSON says source api and carries no icalUid', async () => {
    const r = await room(stack);
    const organizer = await member(stack);
    const created = await book(stack, organizer, { roomId: r.id, ...slot(3, 14) });
    expect(created.status).toBe(201);
    expect(created.body.source).toBe('api');
    const view = await call(stack, organizer, 'GET', `/bookings/${created.body.id}`);
    expect(view.status).toBe(200);
    expect(view.body.source).toBe('api');
    expect(view.body).not.toHaveProperty('icalUid');
  });

  test('when the invite overlaps a booking, then the room answers DECLINED with the conflict and books nothing', async () => {
    const r = await room(stack);
    const address = await mailbox(r.id);
    const first = await member(stack);
    const second = await member(stack);
    const s = slot(4, 9);
    const taken = { room: address, organizer: first.email, uid: `${randomUUID()}@outlook.test`, ...s };
    await invite('outlook', taken);
    expect((await handled(r.id, taken)).result).toBe('booked');

    const overlapping = {
      room: address,
      organizer: second.email,
      uid: `${randomUUID()}@google.test`,
      start: new Date(Date.parse(s.start) + 30 * 60_000).toISOString(),
      end: new Date(Date.parse(s.end) + 30 * 60_000).toISOString(),
    };
    await invite('google', overlapping);
    expect((await handled(r.id, overlapping)).result).toBe('declined');

    expect(await bookingsOf(r.id, overlapping.uid)).toHaveLength(0);
    expect(await activeIn(r.id)).toHaveLength(1);
    const [reply] = await repliesArrived(second.email);
    expect(reply.partstat).toBe('DECLINED');
    expect(reply.comment).toMatch(/conflict|booked|overlap/i);
  });

  test('when the organizer sends SEQUENCE+1 with a new time, then the same booking moves', async () => {
    const r = await room(stack);
    const address = await mailbox(r.id);
    const organizer = await member(stack);
    const uid = `${randomUUID()}@outlook.test`;
    const original = { room: address, organizer: organizer.email, uid, ...slot(5, 9) };
    await invite('outlook', original);
    await handled(r.id, original);
    const [before] = await bookingsOf(r.id, uid);

    const moved = { ...original, sequence: 1, ...slot(5, 13) };
    await invite('outlook', moved);
    expect((await handled(r.id, moved)).result).toBe('moved');

    const after = await bookingsOf(r.id, uid);
    expect(after).toHaveLength(1);
    expect(after[0].id).toBe(before.id);
    expect(after[0].start_at.toISOString()).toBe(moved.start);
  });

  test('when an older SEQUENCE arrives after a newer one, then the booking stays where the newer one put it and the room does not answer it', async () => {
    const r = await room(stack);
    const address = await mailbox(r.id);
    const organizer = await member(stack);
    const uid = `${randomUUID()}@google.test`;
    const original = { room: address, organizer: organizer.email, uid, ...slot(5, 8) };
    await invite('google', original);
    expect((await handled(r.id, original)).result).toBe('booked');

    const newer = { ...original, sequence: 2, ...slot(5, 11) };
    await invite('google', newer);
    expect((await handled(r.id, newer)).result).toBe('moved');

    // Delayed in transit: SEQUENCE 1, another time. A new UID+SEQUENCE key, so its own workflow runs.
    const older = { ...original, sequence: 1, summary: 'Stale', ...slot(5, 15) };
    await invite('google', older);
    expect((await handled(r.id, older)).result).toBe('ignored');

    const rows = await bookingsOf(r.id, uid);
    expect(rows).toHaveLength(1);
    expect(rows[0].start_at.toISOString()).toBe(newer.start);
    expect(rows[0].end_at.toISOString()).toBe(newer.end);
    const [{ ical_sequence }] = await stack.deps.dataSource.query('SELECT ical_sequence FROM bookings WHERE id = $1', [
      rows[0].id,
    ]);
    expect(ical_sequence).toBe(2);
    // The workflow sends its reply before it finishes: every reply there will be has arrived.
    const replies = await repliesTo(organizer.email);
    expect(replies.map((m) => [m.sequence, m.partstat])).toEqual([
      [0, 'ACCEPTED'],
      [2, 'ACCEPTED'],
    ]);
  });

  test('when the reply activity runs again for the same room, UID, SEQUENCE and recipient, then the SMTP server gets one reply', async () => {
    const r = await room(stack);
    const organizer = await member(stack);
    const activities = createImipActivities({
      config: stack.config,
      dataSource: stack.deps.dataSource,
      temporal: stack.deps.temporal,
      mailer,
    });
    const input: InviteWorkflowInput = {
      roomId: r.id,
      invite: {
        method: 'REQUEST',
        uid: `${randomUUID()}@retry.test`,
        sequence: 0,
        organizer: organizer.email,
        title: 'Retried reply',
        ...slot(10, 9),
        timezone: 'UTC',
        exdates: [],
      },
    };
    const reply = { status: 'ACCEPTED' as const, comment: 'Booked.' };

    // A worker that died after sending (the record committed, the completion never reported): Temporal runs it again.
    expect(await activities.sendRoomReply({ input, reply })).toEqual({ sent: true });
    expect(await activities.sendRoomReply({ input, reply })).toEqual({ sent: false });

    // Two attempts at once (a retry racing an attempt thought lost): one sends, the other sends nothing.
    const next = { input: { ...input, invite: { ...input.invite, sequence: 1 } }, reply };
    const raced = await Promise.allSettled([activities.sendRoomReply(next), activities.sendRoomReply(next)]);
    const sent = raced.filter((o) => o.status === 'fulfilled' && o.value.sent).length;
    expect(sent).toBe(1);
    // The one that met the other's lock fails and is retried: then it finds the record.
    expect(await activities.sendRoomReply(next)).toEqual({ sent: false });

    const replies = await repliesTo(organizer.email);
    expect(replies.map((m) => m.sequence)).toEqual([0, 1]);
    const [{ count }] = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS count FROM imip_replies WHERE room_id = $1 AND ical_uid = $2',
      [r.id, input.invite.uid],
    );
    expect(count).toBe(2);
  });

  test('when the organizer cancels, then the booking is cancelled', async () => {
    const r = await room(stack);
    const address = await mailbox(r.id);
    const organizer = await member(stack);
    const fields = {
      room: address,
      organizer: organizer.email,
      uid: `${randomUUID()}@thunderbird.test`,
      ...slot(6, 9),
    };
    await invite('thunderbird', fields);
    await handled(r.id, fields);

    const cancel = { ...fields, method: 'CANCEL' as const, sequence: 1 };
    await invite('thunderbird', cancel);
    expect((await handled(r.id, cancel)).result).toBe('cancelled');
    const [cancelled] = await eventually(
      () => bookingsOf(r.id, fields.uid),
      (rows) => rows[0]?.status === 'cancelled',
    );
    expect(cancelled.status).toBe('cancelled');
  });

  test('when the invite has a weekly RRULE, then the room books a series', async () => {
    const r = await room(stack);
    const address = await mailbox(r.id);
    const organizer = await member(stack);
    const fields = {
      room: address,
      organizer: organizer.email,
      uid: `${randomUUID()}@apple.test`,
      rrule: 'FREQ=WEEKLY;COUNT=3',
      ...slot(2, 10),
    };
    await invite('apple', fields);
    expect((await handled(r.id, fields)).result).toBe('booked');

    const rows = await bookingsOf(r.id, fields.uid);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((b) => b.series_id)).size).toBe(1);
    expect(rows[0].series_id).not.toBeNull();
    expect(rows.map((b) => b.start_at.getTime() - Date.parse(fields.start))).toEqual(
      [0, 7, 14].map((d) => d * 86_400_000),
    );
    // Every occurrence says where it came from, in its JSON and in its own workflow's view (its events).
    for (const row of rows) {
      const view = await call(stack, organizer, 'GET', `/bookings/${row.id}`);
      expect(view.body).toMatchObject({ source: 'imip', icalUid: fields.uid });
      expect(await workflowState(stack, view.body.workflowId)).toMatchObject({ source: 'imip', icalUid: fields.uid });
    }
  });

  test('when the same message is delivered twice, then the room is booked once and answers once', async () => {
    const r = await room(stack);
    const address = await mailbox(r.id);
    const organizer = await member(stack);
    const fields = { room: address, organizer: organizer.email, uid: `${randomUUID()}@google.test`, ...slot(7, 9) };
    const message = inviteMessage('google', fields);
    await sendRaw(port, organizer.email, [address], message);
    await sendRaw(port, organizer.email, [address], message);
    await handled(r.id, fields);

    expect(await bookingsOf(r.id, fields.uid)).toHaveLength(1);
    expect(await repliesArrived(organizer.email)).toHaveLength(1);
  });

  test('when the organizer is unknown, then nothing is booked and nobody is answered; when unverified, the room declines', async () => {
    const r = await room(stack);
    const address = await mailbox(r.id);
    const stranger = `stranger-${randomUUID().slice(0, 8)}@example.test`;
    const unknown = { room: address, organizer: stranger, uid: `${randomUUID()}@apple.test`, ...slot(8, 9) };
    await invite('apple', unknown);
    expect((await handled(r.id, unknown)).result).toBe('ignored');
    expect(await activeIn(r.id)).toHaveLength(0);

    const unverified = await member(stack, { emailVerified: false });
    const fields = { room: address, organizer: unverified.email, uid: `${randomUUID()}@apple.test`, ...slot(8, 11) };
    await invite('apple', fields);
    expect((await handled(r.id, fields)).result).toBe('declined');
    expect(await activeIn(r.id)).toHaveLength(0);
    const [reply] = await repliesArrived(unverified.email);
    expect(reply).toMatchObject({ partstat: 'DECLINED' });
    expect(reply.comment).toMatch(/verify your address/);
    // The stranger's workflow finished before the unverified user's reply arrived: nothing went to them.
    expect(await repliesTo(stranger)).toHaveLength(0);
  });

  test('when the iCalendar is malformed, then nothing is booked and the listener keeps taking invites', async () => {
    const r = await room(stack);
    const address = await mailbox(r.id);
    const organizer = await member(stack);
    const broken = { room: address, organizer: organizer.email, uid: `${randomUUID()}@broken.test`, ...slot(9, 9) };
    await sendRaw(port, organizer.email, [address], inviteMessage('malformed', broken));
    expect(await activeIn(r.id)).toHaveLength(0);

    const fine = { room: address, organizer: organizer.email, uid: `${randomUUID()}@outlook.test`, ...slot(9, 11) };
    await invite('outlook', fine);
    expect((await handled(r.id, fine)).result).toBe('booked');
    expect(await activeIn(r.id)).toHaveLength(1);
    // The malformed message started no workflow at all: the first reply is the good invite's.
    const replies = await repliesArrived(organizer.email);
    expect(replies[0].uid).toBe(fine.uid);
  });
});
