import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientAnswer,
  ClientEventName,
  ClientToServerEvents,
  ServerEventName,
  ServerPayload,
  ServerToClientEvents,
} from '../../src/realtime/events';
import { request } from '../support/http';
import type { TestStack } from '../support/stack';

/** A client socket typed by the shared event map: a wrong event name or payload fails the typecheck. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Received {
  event: string;
  payload: unknown;
}

/** A Socket.IO client of one api process that records every server event in arrival order. */
export interface TestClient {
  socket: ClientSocket;
  received: Received[];
  /** The payloads of one event name, in arrival order. */
  of<E extends ServerEventName>(event: E): ServerPayload<E>[];
  /** Sends a client message and resolves with its acknowledgement. */
  request<E extends ClientEventName>(
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
  ): Promise<ClientAnswer<E>>;
  /** What a misbehaving client sends (unknown events, bad payloads), outside the event map on purpose. */
  requestUntyped(event: string, payload?: unknown): Promise<Ack>;
  emitUntyped(event: string, ...args: unknown[]): void;
  close(): void;
}

function record(socket: ClientSocket): Received[] {
  const received: Received[] = [];
  socket.onAny((event: string, payload: unknown) => received.push({ event, payload }));
  return received;
}

/** Connects with the token (websocket only: no long-polling upgrade in between) and resolves once connected. */
export async function connectClient(stack: TestStack, token: string | undefined): Promise<TestClient> {
  const socket: ClientSocket = io(stack.baseUrl, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const received = record(socket);
  // The same socket without the map, for requests the map does not describe (and for emitWithAck's generic plumbing).
  const untyped = socket as unknown as Socket;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return {
    socket,
    received,
    of: <E extends ServerEventName>(event: E) =>
      received.filter((r) => r.event === event).map((r) => r.payload as ServerPayload<E>),
    request: <E extends ClientEventName>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]) =>
      untyped.timeout(10000).emitWithAck(event, payload) as Promise<ClientAnswer<E>>,
    requestUntyped: (event, payload) =>
      (payload === undefined
        ? untyped.timeout(10000).emitWithAck(event)
        : untyped.timeout(10000).emitWithAck(event, payload)) as Promise<Ack>,
    emitUntyped: (event, ...args) => void untyped.emit(event, ...args),
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
  const res = await request(stack, 'POST', `/rooms/${roomId}/display-tokens`, {
    token: staffToken,
    body: { name: 'Door tablet' },
  });
  if (res.status !== 201) throw new Error(`display token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}
