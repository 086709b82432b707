// The realtime contract: event names, socket rooms and payloads, shared by the worker (which
// publishes), the API (which relays and answers client messages) and the tests. See docs/events.md.
import type { RoomBooking, RoomStatusView } from '../domain/room-status';
import type { BookingEventKind, BookingView } from '../shared/booking-messages';
import type { WaitlistEntry } from '../domain/waitlist';
import type { TicketView } from '../shared/ticket-messages';
import type { VersionedRoomStatus } from './room-status';

/** Server → client. */
export const ServerEvents = {
  bookingUpdated: 'booking.updated',
  roomStatus: 'room.status',
  meetingStarted: 'meeting.started',
  meetingEnded: 'meeting.ended',
  bookingReminder: 'booking.reminder',
  /** A freed slot is held for the waiter until the offer's claimBy: confirm the booking to take it. */
  waitlistOffer: 'waitlist.offer',
  /** A ticket was reported or changed: to staff (their own connections) and to the ticket's room. */
  ticketUpdated: 'ticket.updated',
  /** The access token expires within a minute: send auth:refresh. */
  authExpiring: 'auth:expiring',
  /** The token expired (or was revoked) without a refresh: the server disconnects. */
  authExpired: 'auth:expired',
  /** A client message the server could not take and that had no acknowledgement to answer. */
  clientError: 'client:error',
} as const satisfies Record<string, keyof ServerToClientEvents>;

/** Client → server; each takes an acknowledgement callback. */
export const ClientEvents = {
  subscribe: 'room:subscribe',
  unsubscribe: 'room:unsubscribe',
  refresh: 'auth:refresh',
} as const satisfies Record<string, keyof ClientToServerEvents>;

export type RelayedEvent = (typeof ServerEvents)[
  'bookingUpdated' | 'roomStatus' | 'meetingStarted' | 'meetingEnded' | 'bookingReminder'];
export const RELAYED_EVENTS: readonly RelayedEvent[] = [
  'booking.updated',
  'room.status',
  'meeting.started',
  'meeting.ended',
  'booking.reminder',
];

/** Socket.IO rooms: everyone subscribed to a room; every connection of one user. */
export const roomChannel = (roomId: string) => `room:${roomId}`;
export const userChannel = (userId: string) => `user:${userId}`;

/** Every relayed event carries these: dedupe by eventId, order by version, timestamp = when it was published. */
export interface EventEnvelope {
  eventId: string;
  version: number;
  timestamp: string;
}

/**
 * booking.updated, meeting.started, meeting.ended, booking.reminder. On a room channel the
 * booking is a RoomBooking (no attendees); to the organizer it is the whole Booking.
 */
export interface BookingEventPayload extends EventEnvelope {
  kind: BookingEventKind;
  roomId: string;
  booking: RoomBooking | BookingView;
}

export interface RoomStatusPayload extends EventEnvelope, RoomStatusView {}

/** waitlist.offer, on the waiter's own user channel: the entry with its offer (bookingId, roomId, claimBy). */
export interface WaitlistOfferPayload extends EventEnvelope {
  entry: WaitlistEntry;
}

/** ticket.updated: version is the ticket's own (apply only a higher one). */
export interface TicketEventPayload extends EventEnvelope {
  roomId: string;
  ticket: TicketView;
}

/** Acknowledgements: `{ok: true, ...}` or `{ok: false, error: {code, message}}`. */
export type Ack<T extends object = object> =
  ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

/** A client message the server could not take (unknown event, bad payload) and that had no ack. */
export interface ClientErrorPayload {
  event: string;
  code: string;
  message: string;
}

/**
 * Server → client, name by name with its payload: the typed map the socket server, the worker's
 * Redis emitter and the tests' socket.io-client sockets share, so that a wrong event name or
 * payload fails the typecheck. ServerEvents and ClientEvents name these events (`satisfies` checks it).
 */
export interface ServerToClientEvents {
  'booking.updated': (payload: BookingEventPayload) => void;
  'room.status': (payload: RoomStatusPayload) => void;
  'meeting.started': (payload: BookingEventPayload) => void;
  'meeting.ended': (payload: BookingEventPayload) => void;
  'booking.reminder': (payload: BookingEventPayload) => void;
  'waitlist.offer': (payload: WaitlistOfferPayload) => void;
  'ticket.updated': (payload: TicketEventPayload) => void;
  'auth:expiring': (payload: { expiresAt: string }) => void;
  'auth:expired': (payload: { message: string }) => void;
  'client:error': (payload: ClientErrorPayload) => void;
}

/** Client → server: each message answers through its acknowledgement (payloads are validated by event-schemas.ts). */
export interface ClientToServerEvents {
  'room:subscribe': (
    payload: { roomId: string },
    ack: (answer: Ack<{ roomId: string; status: VersionedRoomStatus }>) => void,
  ) => void;
  'room:unsubscribe': (payload: { roomId: string }, ack: (answer: Ack<{ roomId: string }>) => void) => void;
  'auth:refresh': (payload: { token: string }, ack: (answer: Ack<{ expiresAt: string | null }>) => void) => void;
}

export type ServerEventName = keyof ServerToClientEvents;
export type ClientEventName = keyof ClientToServerEvents;
/** The payload of a server event. */
export type ServerPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];
/** What a client message's acknowledgement answers. */
export type ClientAnswer<E extends ClientEventName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/**
 * Which client events a workflow's booking event becomes, besides the room.status that every
 * realtime kind recomputes. Review prompts are mail only: they change nothing in the room.
 */
export function relayedEventsFor(kind: BookingEventKind): RelayedEvent[] | undefined {
  switch (kind) {
    case 'review_prompt':
    case 'review_reminder':
      return undefined;
    case 'check_in_opened':
      return [];
    case 'meeting_started':
      return ['meeting.started'];
    case 'reminder':
      return ['booking.reminder'];
    case 'completed':
      return ['booking.updated', 'meeting.ended'];
    default:
      return ['booking.updated'];
  }
}

/** Stable across retries of the activity that publishes it, so clients can drop a repeat. */
export const bookingEventId = (workflowId: string, version: number, kind: BookingEventKind, event: RelayedEvent) =>
  `${workflowId}#v${version}#${kind}#${event}`;
export const roomStatusEventId = (roomId: string, version: number) => `room:${roomId}#v${version}#room.status`;
