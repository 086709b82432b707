import { io, type Socket } from 'socket.io-client';
import type { TestStack } from '../support/stack';

export interface Received {
  event: string;
  payload: any;
}

/** A Socket.IO client of one api process that records every server event in arrival order. */
export interface TestClient {
  socket: Socket;
  received: Received[];
  /** The payloads of one event name, in arrival order. */
  of(event: string): any[];
  request(event: string, payload?: unknown): Promise<any>;
  close(): void;
}

function record(socket: Socket): Received[] {
  const received: Received[] = [];
  socket.onAny((event: string, payload: unknown) => received.push({ event, payload }));
  return received;
}

/** Connects with the token (websocket only: no long-polling upgrade in between) and resolves once connected. */
export async function connectClient(stack: TestStack, token: string | undefined): Promise<TestClient> {
  const socket = io(stack.baseUrl, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const received = record(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return {
    socket,
    received,
    of: (event) => received.filter((r) => r.event === event).map((r) => r.payload),
    request: (event, payload) =>
      payload === undefined
        ? socket.timeout(10000).emitWithAck(event)
        : socket.timeout(10000).emitWithAck(event, payload),
    close: () => socket.close(),
  };
}

/** The handshake's refusal: the connect_error's message and code. */
export async function refusedHandshake(
  stack: TestStack,
  token: string | undefined,
): Promise<{ message: string; code?: string }> {
  try {
    const client = await connectClient(stack, token);
    client.close();
    throw new Error('The handshake was accepted');
  } catch (err) {
    const e = err as Error & { data?: { code?: string } };
    if (e.message === 'The handshake was accepted') throw e;
    return { message: e.message, code: e.data?.code };
  }
}

/** A display token for the room, issued through the API by a facility manager. */
export async function issueDisplayToken(stack: TestStack, staffToken: string, roomId: string): Promise<string> {
  const res = await fetch(`${stack.baseUrl}/api/v1/rooms/${roomId}/display-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Door tablet' }),
  });
  if (res.status !== 201) throw new Error(`display token: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}
