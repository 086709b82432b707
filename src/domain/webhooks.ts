import ipaddr from 'ipaddr.js';
import type { BookingEventKind } from '../shared/booking-messages';

/** The event types a webhook can carry (ticket.* and waitlist.* come with those features). */
export const WEBHOOK_EVENT_TYPES = [
  'booking.created',
  'booking.updated',
  'room.status',
  'ticket.updated',
  'waitlist.offer',
  'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an endpoint may subscribe to: a type, a family (`booking.*`), or everything (`*`). */
export const WEBHOOK_EVENT_PATTERNS = [
  '*',
  'booking.*',
  'booking.created',
  'booking.updated',
  'room.status',
  'ticket.*',
  'waitlist.*',
] as const;
export type WebhookEventPattern = (typeof WEBHOOK_EVENT_PATTERNS)[number];

export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Whether an endpoint subscribed with these patterns hears of this type. A test message reaches every endpoint. */
export function endpointWants(patterns: readonly string[], type: string): boolean {
  return type === 'webhook.test' || patterns.some((p) => matchesPattern(p, type));
}

const FIRST_KINDS: readonly BookingEventKind[] = ['hold_created', 'pending_approval', 'confirmed'];

/**
 * The webhooks a workflow's booking event becomes: the booking's first announcement (version 1)
 * is `booking.created`, every later change `booking.updated` (with its kind); review prompts are
 * mail only. Every event that reaches the rooms also recomputes the room's status (`room.status`).
 */
export function webhookTypesFor(kind: BookingEventKind, version: number): WebhookEventType[] {
  if (kind === 'review_prompt' || kind === 'review_reminder') return [];
  const booking = version === 1 && FIRST_KINDS.includes(kind) ? 'booking.created' : 'booking.updated';
  return [booking, 'room.status'];
}

/**
 * Addresses a webhook must not reach unless private targets are allowed: anything but the public
 * internet (loopback, private, link-local with the cloud metadata service, unique-local,
 * carrier-grade NAT, unspecified, multicast, reserved; IPv4-mapped IPv6 judged as its IPv4).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** Why a webhook URL is refused before any lookup: only http(s), no credentials in it. */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'only http:// and https:// URLs';
  if (parsed.username || parsed.password) return 'no user name or password in the URL (sign with the secret instead)';
  if (parsed.hash) return 'no #fragment';
  return undefined;
}
