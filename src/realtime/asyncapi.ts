import { OpenApiGeneratorV31, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { ZodTypeAny } from 'zod';
import * as schemas from './event-schemas';
import { ClientEvents, ServerEvents } from './events';
import { REVIEW_PENDING_EVENT } from '../reviews/moderation-alerts';

interface MessageSpec {
  /** The Socket.IO event name. */
  name: string;
  title: string;
  summary: string;
  payload: ZodTypeAny & { _def: { openapi?: { _internal?: { refId?: string } } } };
}

const ref = (path: string) => ({ $ref: path });
const schemaRef = (schema: MessageSpec['payload']): string => {
  const id = schema._def.openapi?._internal?.refId;
  if (!id) throw new Error('Every event payload schema is registered with .openapi(name)');
  return `#/components/schemas/${id}`;
};

const MESSAGES: Record<string, MessageSpec> = {
  bookingUpdated: {
    name: ServerEvents.bookingUpdated,
    title: 'Booking updated',
    summary: 'Every change of a booking (created, confirmed, cancelled, moved, checked in, released, completed...).',
    payload: schemas.bookingEventPayloadSchema,
  },
  meetingStarted: {
    name: ServerEvents.meetingStarted,
    title: 'Meeting started',
    summary: "The booking's start (a workflow timer).",
    payload: schemas.bookingEventPayloadSchema,
  },
  meetingEnded: {
    name: ServerEvents.meetingEnded,
    title: 'Meeting ended',
    summary: 'The booking completed: its end, or an early check-out.',
    payload: schemas.bookingEventPayloadSchema,
  },
  bookingReminder: {
    name: ServerEvents.bookingReminder,
    title: 'Booking reminder',
    summary: "The room policy's reminderLeadSeconds before the start.",
    payload: schemas.bookingEventPayloadSchema,
  },
  roomStatus: {
    name: ServerEvents.roomStatus,
    title: 'Room status',
    summary:
      'After every booking event of the room and at every boundary (check-in opens, meeting starts, no-show release, end). Apply only a higher version.',
    payload: schemas.roomStatusPayloadSchema,
  },
  reviewPending: {
    name: REVIEW_PENDING_EVENT,
    title: 'Review pending',
    summary: 'A review entered the moderation queue (to facility managers and admins).',
    payload: schemas.reviewPendingPayloadSchema,
  },
  waitlistOffer: {
    name: ServerEvents.waitlistOffer,
    title: 'Waitlist offer',
    summary:
      "A freed slot is held in the waiter's name until entry.offer.claimBy: confirm the booking to take it, or it passes to the next waiter.",
    payload: schemas.waitlistOfferPayloadSchema,
  },
  ticketUpdated: {
    name: ServerEvents.ticketUpdated,
    title: 'Ticket updated',
    summary:
      "A ticket was reported, moved (acknowledged, started, resolved, closed, reopened), assigned or escalated past a service level. To staff and to the ticket's room.",
    payload: schemas.ticketEventPayloadSchema,
  },
  authExpiring: {
    name: ServerEvents.authExpiring,
    title: 'Access token expiring',
    summary: 'A minute before the access token expires: send auth:refresh.',
    payload: schemas.authExpiringPayloadSchema,
  },
  authExpired: {
    name: ServerEvents.authExpired,
    title: 'Access token expired',
    summary: 'The token expired or was revoked without a refresh; the server disconnects.',
    payload: schemas.authExpiredPayloadSchema,
  },
  clientError: {
    name: ServerEvents.clientError,
    title: 'Client error',
    summary: 'A client message that failed and had no acknowledgement callback to answer.',
    payload: schemas.clientErrorPayloadSchema,
  },
  roomSubscribe: {
    name: ClientEvents.subscribe,
    title: 'Subscribe to a room',
    summary: "Follow a room's events; a display token may follow only its own room.",
    payload: schemas.roomIdPayloadSchema,
  },
  roomUnsubscribe: {
    name: ClientEvents.unsubscribe,
    title: 'Unsubscribe from a room',
    summary: 'Stop following a room.',
    payload: schemas.roomIdPayloadSchema,
  },
  authRefresh: {
    name: ClientEvents.refresh,
    title: 'Refresh the access token',
    summary: 'A new access token of the same account on the same connection.',
    payload: schemas.refreshPayloadSchema,
  },
  roomSubscribeAck: {
    name: `${ClientEvents.subscribe} ack`,
    title: 'room:subscribe acknowledgement',
    summary: "{ok: true, roomId, status} with the room's status now, or {ok: false, error}.",
    payload: schemas.subscribeAckSchema,
  },
  roomUnsubscribeAck: {
    name: `${ClientEvents.unsubscribe} ack`,
    title: 'room:unsubscribe acknowledgement',
    summary: '{ok: true, roomId} or {ok: false, error}.',
    payload: schemas.unsubscribeAckSchema,
  },
  authRefreshAck: {
    name: `${ClientEvents.refresh} ack`,
    title: 'auth:refresh acknowledgement',
    summary: '{ok: true, expiresAt} (null for a display token) or {ok: false, error}.',
    payload: schemas.refreshAckSchema,
  },
};

const ROOM_EVENTS = [
  'bookingUpdated',
  'meetingStarted',
  'meetingEnded',
  'bookingReminder',
  'roomStatus',
  'ticketUpdated',
];
const USER_EVENTS = [
  'bookingUpdated',
  'meetingStarted',
  'meetingEnded',
  'bookingReminder',
  'reviewPending',
  'waitlistOffer',
  'ticketUpdated',
];
const CONNECTION_EVENTS = [
  'authExpiring',
  'authExpired',
  'clientError',
  'roomSubscribe',
  'roomUnsubscribe',
  'authRefresh',
  'roomSubscribeAck',
  'roomUnsubscribeAck',
  'authRefreshAck',
];

const messagesOf = (channel: string, keys: string[]) =>
  Object.fromEntries(keys.map((k) => [k, ref(`#/components/messages/${k}`)]));
const channelMessages = (channel: string, keys: string[]) =>
  keys.map((k) => ref(`#/channels/${channel}/messages/${k}`));

/** JSON Schemas of every payload, generated from the zod schemas (shared components such as Booking and RoomStatus included). */
function payloadSchemas(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  for (const spec of Object.values(MESSAGES))
    registry.register(schemaRef(spec.payload).split('/').pop()!, spec.payload);
  return new OpenApiGeneratorV31(registry.definitions).generateComponents().components?.schemas ?? {};
}

/**
 * The Socket.IO events as an AsyncAPI 3 document (`GET /api/v1/asyncapi.json`). The api is the
 * application described: it sends the server events and receives the client messages, each
 * answered by its acknowledgement (a reply). Socket.IO rooms are channels.
 */
export function buildAsyncApiDocument(publicUrl: string) {
  const url = new URL(publicUrl);
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Roombook realtime events',
      version: '1',
      description:
        "Socket.IO (v4) on the api's own port. Connect with `io(url, { auth: { token } })` (an access token or a display token); " +
        'an unauthenticated connection is refused (connect_error UNAUTHORIZED). Every relayed event carries eventId (drop repeats), ' +
        'version and timestamp. Prose and examples: docs/events.md. REST: /api/v1/openapi.json.',
      license: { name: 'Proprietary (UNLICENSED)' },
    },
    defaultContentType: 'application/json',
    servers: {
      api: {
        host: url.host,
        protocol: url.protocol === 'https:' ? 'wss' : 'ws',
        pathname: '/socket.io',
        description: 'Socket.IO endpoint of any api process (events reach every process through the Redis adapter).',
        security: [ref('#/components/securitySchemes/token')],
      },
    },
    channels: {
      room: {
        address: 'room:{roomId}',
        title: 'A room',
        description: 'Everyone who sent room:subscribe for the room. Bookings appear as RoomBooking (no attendees).',
        parameters: { roomId: { description: 'The room id (uuid).' } },
        messages: messagesOf('room', ROOM_EVENTS),
      },
      user: {
        address: 'user:{userId}',
        title: "One account's connections",
        description:
          'Every connection of one account joins it at the handshake: its own bookings (the whole Booking, with attendees), its waitlist offers and, for staff, review.pending and ticket.updated.',
        parameters: { userId: { description: 'The user id (uuid).' } },
        messages: messagesOf('user', USER_EVENTS),
      },
      connection: {
        address: '/',
        title: 'The connection itself',
        description: 'Messages between one client and the server (the default namespace).',
        messages: messagesOf('connection', CONNECTION_EVENTS),
      },
    },
    operations: {
      sendRoomEvents: {
        action: 'send',
        channel: ref('#/channels/room'),
        summary: 'Booking and status events of a room.',
        messages: channelMessages('room', ROOM_EVENTS),
      },
      sendUserEvents: {
        action: 'send',
        channel: ref('#/channels/user'),
        summary: "An account's own bookings and moderation alerts.",
        messages: channelMessages('user', USER_EVENTS),
      },
      sendConnectionEvents: {
        action: 'send',
        channel: ref('#/channels/connection'),
        summary: 'Token expiry notices and errors of messages without an acknowledgement.',
        messages: channelMessages('connection', ['authExpiring', 'authExpired', 'clientError']),
      },
      ...Object.fromEntries(
        (
          [
            ['receiveRoomSubscribe', 'roomSubscribe'],
            ['receiveRoomUnsubscribe', 'roomUnsubscribe'],
            ['receiveAuthRefresh', 'authRefresh'],
          ] as const
        ).map(([id, key]) => [
          id,
          {
            action: 'receive',
            channel: ref('#/channels/connection'),
            summary: MESSAGES[key].summary,
            messages: channelMessages('connection', [key]),
            reply: { channel: ref('#/channels/connection'), messages: channelMessages('connection', [`${key}Ack`]) },
          },
        ]),
      ),
    },
    components: {
      schemas: payloadSchemas(),
      messages: Object.fromEntries(
        Object.entries(MESSAGES).map(([key, m]) => [
          key,
          { name: m.name, title: m.title, summary: m.summary, payload: ref(schemaRef(m.payload)) },
        ]),
      ),
      securitySchemes: {
        token: {
          type: 'httpApiKey',
          name: 'token',
          in: 'query',
          description:
            'Sent in the Socket.IO handshake as `auth: {token}` (or an Authorization: Bearer header): a JWT access token or a display token (rbd_...).',
        },
      },
    },
  };
}
