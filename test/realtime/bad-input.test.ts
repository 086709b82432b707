import { randomUUID } from 'node:crypto';
import { createUser } from '../support/fixtures';
import { startApi, type TestStack } from '../support/stack';
import { room } from '../bookings/support';
import { connectClient, type TestClient } from './support';

describe('realtime: bad input on the socket', () => {
  let stack: TestStack;
  let c: TestClient;

  beforeAll(async () => {
    stack = await startApi();
    c = await connectClient(stack, (await createUser(stack)).token);
  });
  afterAll(async () => {
    c?.close();
    await stack?.close();
  });

  test('when a client sends an unknown event, then the ack is an UNKNOWN_EVENT error (or client:error without an ack)', async () => {
    expect(await c.requestUntyped('room:explode', { roomId: randomUUID() })).toEqual({
      ok: false,
      error: { code: 'UNKNOWN_EVENT', message: expect.stringContaining('room:explode') },
    });
    c.emitUntyped('no.such.thing', 42);
    const [error] = await new Promise<any[]>((resolve) => c.socket.once('client:error', (...args) => resolve(args)));
    expect(error).toMatchObject({ event: 'no.such.thing', code: 'UNKNOWN_EVENT' });
  });

  test.each([
    ['no payload', undefined],
    ['a string', 'room-1'],
    ['a room id that is not a uuid', { roomId: 'kitchen' }],
    ['an extra field', { roomId: randomUUID(), all: true }],
    ['an array', [1, 2, 3]],
  ])('when room:subscribe carries %s, then the ack is a VALIDATION_FAILED error', async (_what, payload) => {
    const answer = await c.requestUntyped('room:subscribe', payload);
    expect(answer).toEqual({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.any(String) } });
  });

  test('when a client subscribes to a room that does not exist, then the ack is NOT_FOUND', async () => {
    expect(await c.request('room:subscribe', { roomId: randomUUID() })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'Room was not found.' },
    });
    expect(await c.request('auth:refresh', { token: 'garbage' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
  });

  test('when all that bad input has been answered, then the same connection still subscribes and unsubscribes', async () => {
    const r = await room(stack);
    expect(c.socket.connected).toBe(true);
    expect(await c.request('room:subscribe', { roomId: r.id })).toMatchObject({
      ok: true,
      roomId: r.id,
      status: { status: 'free' },
    });
    expect(await c.request('room:unsubscribe', { roomId: r.id })).toEqual({ ok: true, roomId: r.id });
    expect(c.socket.connected).toBe(true);
  });
});
