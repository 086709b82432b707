import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// The names and types also live in search-attributes.json, which the start and test scripts read
// to register them with the server; keep the two in step (a test compares them).
export const RoomIdKey = defineSearchAttributeKey('RoomId', SearchAttributeType.KEYWORD);
export const BookingIdKey = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const OrganizerIdKey = defineSearchAttributeKey('OrganizerId', SearchAttributeType.KEYWORD);
export const BookingStatusKey = defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD);
export const SlotStartKey = defineSearchAttributeKey('SlotStart', SearchAttributeType.DATETIME);
export const SeriesIdKey = defineSearchAttributeKey('SeriesId', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [RoomIdKey, BookingIdKey, OrganizerIdKey, BookingStatusKey, SlotStartKey, SeriesIdKey];
