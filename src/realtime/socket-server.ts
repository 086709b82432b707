import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import jwt from 'jsonwebtoken';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { Principal } from '../domain/principal';
import type { AppDeps } from '../api/deps';
import type { ApiServices } from '../api/services';
import { canActInRoom } from '../domain/booking-access';
import { AppError } from '../domain/errors';
import { createRedis, type Redis } from '../infra/redis';
import { withTimeout } from '../infra/deadline';
import {
  ClientEvents,
  RELAYED_EVENTS,
  roomChannel,
  ServerEvents,
  userChannel,
  type Ack,
  type ClientAnswer,
  type ClientEventName,
  type ClientToServerEvents,
  type EventEnvelope,
  type ServerToClientEvents,
} from './events';
import { refreshPayloadSchema, roomIdPayloadSchema } from './event-schemas';

// A minute's notice is enough for a client to refresh its access token over the socket.
const EXPIRY_NOTICE_MS = 60_000;
// Display tokens never expire but can be revoked: a display's socket checks its token this often.
const DISPLAY_RECHECK_MS = 60_000;
const MAX_SUBSCRIPTIONS = 100;

interface SocketData {
  principal: Principal;
  /** Epoch ms when the access token expires; undefined for display tokens. */
  expiresAt?: number;
  timers: NodeJS.Timeout[];
}

type RoombookServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RoombookSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeServer {
  io: RoombookServer;
  close(): Promise<void>;
}

class SocketInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const failure = (err: unknown): Ack => {
  if (err instanceof SocketInputError || err instanceof AppError)
    return { ok: false, error: { code: err.code, message: err.message } };
  return { ok: false, error: { code: 'INTERNAL', message: 'The server could not handle this message.' } };
};

function parse<T>(schema: z.ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (!result.success) {
    throw new SocketInputError(
      'VALIDATION_FAILED',
      `Invalid payload: ${result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

const tokenOf = (socket: Socket): string | undefined => {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;
  return /^Bearer\s+(\S+)$/i.exec(socket.handshake.headers.authorization ?? '')?.[1];
};

function expiryOf(token: string, principal: Principal): number | undefined {
  if (principal.kind !== 'user') return undefined;
  const exp = (jwt.decode(token) as jwt.JwtPayload | null)?.exp;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

const samePrincipal = (a: Principal, b: Principal) =>
  a.kind === 'user'
    ? b.kind === 'user' && a.userId === b.userId
    : b.kind === 'display' && a.displayTokenId === b.displayTokenId;

/**
 * Socket.IO on the API's HTTP server. Every api process shares events through the Redis adapter;
 * the worker publishes into the same channels with the Redis emitter. Clients authenticate at the
 * handshake with the same tokens as REST and subscribe to rooms (docs/events.md).
 */
export function attachRealtime(
  server: HttpServer,
  deps: AppDeps,
  services: Pick<ApiServices, 'verifier' | 'roomStatus'>,
): RealtimeServer {
  const { verifier } = services;
  // Pub/sub needs connections of its own; they queue commands while reconnecting (subscriptions are restored).
  const pub: Redis = createRedis(deps.config.redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: null });
  const sub: Redis = pub.duplicate();
  for (const client of [pub, sub])
    client.on('error', (err) => deps.logger.warn({ err: err.message }, 'realtime redis error'));

  const io: RoombookServer = new Server(server, { adapter: createAdapter(pub, sub), serveClient: true });

  const connected = new Gauge({
    name: 'roombook_realtime_connected_sockets',
    help: 'Socket.IO connections open on this api process, by kind of principal',
    labelNames: ['kind'] as const,
    registers: [deps.metrics],
  });
  const relayed = new Counter({
    name: 'roombook_realtime_events_relayed_total',
    help: 'Realtime events delivered to sockets by this api process (one per receiving socket)',
    labelNames: ['event'] as const,
    registers: [deps.metrics],
  });
  const latency = new Histogram({
    name: 'roombook_realtime_relay_latency_seconds',
    help: 'From the worker publishing an event to this api process handing it to a socket',
    labelNames: ['event'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [deps.metrics],
  });
  const refused = new Counter({
    name: 'roombook_realtime_refused_total',
    help: 'Handshakes refused and client messages answered with an error, by code',
    labelNames: ['code'] as const,
    registers: [deps.metrics],
  });

  io.use(async (socket, next) => {
    const token = tokenOf(socket);
    const refuse = (code: string, message: string) => {
      refused.inc({ code });
      next(Object.assign(new Error(message), { data: { code } }));
    };
    if (!token) return refuse('UNAUTHORIZED', 'Authentication required: connect with auth: {token}.');
    try {
      const principal = await verifier.verify(token);
      const data = socket.data as SocketData;
      data.principal = principal;
      data.expiresAt = expiryOf(token, principal);
      data.timers = [];
      next();
    } catch (err) {
      if (err instanceof AppError) return refuse(err.code, err.message);
      deps.logger.error({ err }, 'socket handshake failed');
      refuse('INTERNAL', 'The server could not check the token.');
    }
  });

  io.on('connection', (socket: RoombookSocket) => {
    const data = socket.data;
    const kind = data.principal.kind;
    connected.inc({ kind });
    if (data.principal.kind === 'user') void socket.join(userChannel(data.principal.userId));

    const clearTimers = () => data.timers.splice(0).forEach((t) => clearTimeout(t));
    const expire = (message: string) => {
      socket.emit(ServerEvents.authExpired, { message });
      socket.disconnect(true);
    };
    const armExpiry = () => {
      clearTimers();
      if (data.expiresAt !== undefined) {
        const left = data.expiresAt - Date.now();
        data.timers.push(
          setTimeout(
            () => socket.emit(ServerEvents.authExpiring, { expiresAt: new Date(data.expiresAt!).toISOString() }),
            Math.max(0, left - EXPIRY_NOTICE_MS),
          ),
          setTimeout(
            () => expire('The access token expired: reconnect with a new token, or send auth:refresh before expiry.'),
            Math.max(0, left),
          ),
        );
      } else if (data.principal.kind === 'display') {
        const recheck = async () => {
          const still = await verifier.verify(tokenOf(socket) ?? '').then(
            () => true,
            (err: unknown) => !(err instanceof AppError && err.status === 401),
          );
          if (!still) return expire('The display token was revoked.');
          data.timers.push(setTimeout(() => void recheck(), DISPLAY_RECHECK_MS).unref());
        };
        data.timers.push(setTimeout(() => void recheck(), DISPLAY_RECHECK_MS).unref());
      }
      data.timers.forEach((t) => t.unref());
    };
    armExpiry();

    socket.onAnyOutgoing((event: string, payload: Partial<EventEnvelope> | undefined) => {
      if (!(RELAYED_EVENTS as readonly string[]).includes(event)) return;
      relayed.inc({ event });
      const published = payload?.timestamp ? Date.parse(payload.timestamp) : NaN;
      if (!Number.isNaN(published)) latency.observe({ event }, Math.max(0, (Date.now() - published) / 1000));
    });

    /** Runs a client message's handler and answers its ack; without an ack, an error goes out as client:error. */
    const handle = <E extends ClientEventName>(
      event: E,
      work: (payload: unknown) => Promise<Omit<Extract<ClientAnswer<E>, { ok: true }>, 'ok'>>,
    ) => {
      // Typed by the event map, but what arrives is whatever the client sent: checked here and by parse().
      const listener = async (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (answer: Ack) => void) : undefined;
        let answer: Ack;
        try {
          answer = { ok: true, ...(await work(args[0])) };
        } catch (err) {
          answer = failure(err);
          if (!answer.ok) refused.inc({ code: answer.error.code });
          if (!(err instanceof SocketInputError || err instanceof AppError))
            deps.logger.error({ err, event }, 'socket message failed');
        }
        if (ack) ack(answer);
        else if (!answer.ok) socket.emit(ServerEvents.clientError, { event, ...answer.error });
      };
      socket.on<ClientEventName>(event, listener as ClientToServerEvents[ClientEventName]);
    };

    handle(ClientEvents.subscribe, async (payload) => {
      const { roomId } = parse(roomIdPayloadSchema, payload);
      if (!canActInRoom(data.principal, roomId))
        throw new SocketInputError('FORBIDDEN', 'This display token is bound to another room.');
      if (socket.rooms.size > MAX_SUBSCRIPTIONS)
        throw new SocketInputError('TOO_MANY_SUBSCRIPTIONS', `At most ${MAX_SUBSCRIPTIONS} rooms per connection.`);
      // Join before reading: any change after the read is published to this socket, so nothing falls in between.
      await socket.join(roomChannel(roomId));
      const status = await services.roomStatus(roomId);
      if (!status) {
        await socket.leave(roomChannel(roomId));
        throw new SocketInputError('NOT_FOUND', 'Room was not found.');
      }
      return { roomId, status };
    });

    handle(ClientEvents.unsubscribe, async (payload) => {
      const { roomId } = parse(roomIdPayloadSchema, payload);
      await socket.leave(roomChannel(roomId));
      return { roomId };
    });

    handle(ClientEvents.refresh, async (payload) => {
      const { token } = parse(refreshPayloadSchema, payload);
      const principal = await verifier.verify(token);
      if (!samePrincipal(principal, data.principal))
        throw new SocketInputError('FORBIDDEN', 'A refreshed token must belong to the same account or display.');
      data.principal = principal;
      data.expiresAt = expiryOf(token, principal);
      (socket.handshake.auth as { token?: string }).token = token;
      armExpiry();
      return { expiresAt: data.expiresAt ? new Date(data.expiresAt).toISOString() : null };
    });

    const known = new Set<string>(Object.values(ClientEvents));
    socket.onAny((event: string, ...args: unknown[]) => {
      if (known.has(event)) return;
      refused.inc({ code: 'UNKNOWN_EVENT' });
      const error = { code: 'UNKNOWN_EVENT', message: `Unknown event "${event}"; see docs/events.md.` };
      const ack = args[args.length - 1];
      if (typeof ack === 'function') ack({ ok: false, error } satisfies Ack);
      else socket.emit(ServerEvents.clientError, { event, ...error });
    });

    socket.on('disconnect', () => {
      clearTimers();
      connected.dec({ kind });
    });
  });

  return {
    io,
    async close() {
      io.local.disconnectSockets(true);
      // io.close() would also close the HTTP server, which its owner closes.
      io.engine.close();
      // The adapter's SUBSCRIBE commands carry no rejection handler: disconnecting while they are
      // in flight rejects them unhandled. A PING behind them (in order on the same connection)
      // settles when they have; bounded, because Redis may be down.
      await withTimeout(Promise.all([pub.ping(), sub.ping()]), 1000).catch(() => undefined);
      // disconnect, not quit: quit waits in the offline queue for a Redis that may never come back.
      pub.disconnect();
      sub.disconnect();
    },
  };
}
