import { Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ClientEvents, ServerEvents } from '../../src/realtime/events';
import { REVIEW_PENDING_EVENT } from '../../src/reviews/moderation-alerts';
import { book, call, clock, eventually, member, room, startBookingStack, type BookingStack } from '../bookings/support';
import { connectClient } from '../realtime/support';
import { json } from '../support/http';

describe('the AsyncAPI document of the Socket.IO events', () => {
  let stack: BookingStack;
  let document: AsyncAPIDocumentInterface;
  let raw: any;
  beforeAll(async () => {
    stack = await startBookingStack();
    const res = await fetch(`${stack.baseUrl}/api/v1/asyncapi.json`);
    expect(res.status).toBe(200);
    raw = await json(res);
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(raw));
    // Severity 0 is an error, 1 a warning: neither is acceptable.
    expect(
      diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`),
    ).toEqual([]);
    document = parsed!;
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** The dereferenced payload schema of the message with this Socket.IO event name. */
  const payloadSchema = (event: string): object => {
    const message = document
      .allMessages()
      .all()
      .find((m) => m.name() === event);
    if (!message) throw new Error(`no message named ${event}`);
    return message.payload()!.json();
  };

  test('when the document is parsed by @asyncapi/parser, then it is AsyncAPI 3 and names every event the code emits or accepts', () => {
    expect(document.version()).toMatch(/^3\./);
    const names = document
      .allMessages()
      .all()
      .map((m) => m.name());
    expect(names).toEqual(
      expect.arrayContaining([...Object.values(ServerEvents), ...Object.values(ClientEvents), REVIEW_PENDING_EVENT]),
    );
    const receive = document
      .operations()
      .all()
      .filter((o) => o.action() === 'receive')
      .map((o) => o.messages().all()[0].name());
    expect(receive.sort()).toEqual([...Object.values(ClientEvents)].sort());
  });

  test("when real events of a booking arrive, then their payloads validate against the document's schemas, and bad ones do not", async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const at = clock();
    const r = await room(stack);
    const u = await member(stack);
    const client = await connectClient(stack, u.token);
    try {
      const ack = await client.request(ClientEvents.subscribe, { roomId: r.id });
      expect(ajv.validate(payloadSchema(`${ClientEvents.subscribe} ack`), ack)).toBe(true);
      const created = await book(stack, u, { roomId: r.id, start: at(3600), end: at(5400) });
      expect(created.status).toBe(201);
      expect((await call(stack, u, 'POST', `/bookings/${created.body.id}/cancel`, {})).status).toBe(200);
      // Room subscribers get the room view; the organizer's own connection the whole booking.
      await eventually(
        async () => client.of(ServerEvents.bookingUpdated).length,
        (n) => n >= 2,
      );
      await eventually(
        async () => client.of(ServerEvents.roomStatus).length,
        (n) => n >= 2,
      );
      const validate = ajv.compile(payloadSchema(ServerEvents.bookingUpdated));
      for (const payload of client.of(ServerEvents.bookingUpdated))
        expect({ payload, ok: validate(payload), errors: validate.errors }).toMatchObject({ ok: true });
      const validateStatus = ajv.compile(payloadSchema(ServerEvents.roomStatus));
      for (const payload of client.of(ServerEvents.roomStatus))
        expect({ payload, ok: validateStatus(payload), errors: validateStatus.errors }).toMatchObject({ ok: true });
      // The schemas are not vacuous: a payload missing its envelope is refused.
      const { eventId: _dropped, ...withoutId } = client.of(ServerEvents.roomStatus)[0];
      expect(validateStatus(withoutId)).toBe(false);
      expect(ajv.validate(payloadSchema(ClientEvents.subscribe), { roomId: r.id, extra: 1 })).toBe(false);
    } finally {
      client.close();
    }
  });
});
