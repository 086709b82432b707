import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

// The names and types also live in search-attributes.json, which the start and test scripts read
// to register them with the server; keep the two in step (a test compares them).
export const RoomIdKey = defineSearchAttributeKey('RoomId', SearchAttributeType.KEYWORD);
export const BookingIdKey = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const OrganizerIdKey = defineSearchAttributeKey('OrganizerId', SearchAttributeType.KEYWORD);
export const BookingStatusKey = defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD);
export const SlotStartKey = defineSearchAttributeKey('SlotStart', SearchAttributeType.DATETIME);
export const SeriesIdKey = defineSearchAttributeKey('SeriesId', SearchAttributeType.KEYWORD);
export const TicketIdKey = defineSearchAttributeKey('TicketId', SearchAttributeType.KEYWORD);
export const TicketStatusKey = defineSearchAttributeKey('TicketStatus', SearchAttributeType.KEYWORD);
export const TicketSeverityKey = defineSearchAttributeKey('TicketSeverity', SearchAttributeType.KEYWORD);
/** On an outage's workflow and on each of its relocations: `OutageId = "…"` lists them all. */
export const OutageIdKey = defineSearchAttributeKey('OutageId', SearchAttributeType.KEYWORD);
/** A relocation's result (moved, cancelled), or an outage's status (scheduled, active, ended). */
export const OutageOutcomeKey = defineSearchAttributeKey('OutageOutcome', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [
  RoomIdKey,
  BookingIdKey,
  OrganizerIdKey,
  BookingStatusKey,
  SlotStartKey,
  SeriesIdKey,
  TicketIdKey,
  TicketStatusKey,
  TicketSeverityKey,
  OutageIdKey,
  OutageOutcomeKey,
];

/**
 * The search attributes a booking's workflow (slot or follow-up) starts with; the slot's workflow
 * keeps BookingStatus current. Sandbox-safe: the API, the activities and the workflows use it.
 */
export function searchAttributesForBooking(
  input: { bookingId: string; roomId: string; organizerId: string; start: string; seriesId?: string },
  status: string,
): SearchAttributePair[] {
  return [
    { key: RoomIdKey, value: input.roomId },
    { key: BookingIdKey, value: input.bookingId },
    { key: OrganizerIdKey, value: input.organizerId },
    { key: BookingStatusKey, value: status },
    { key: SlotStartKey, value: new Date(input.start) },
    ...(input.seriesId ? [{ key: SeriesIdKey, value: input.seriesId }] : []),
  ];
}
