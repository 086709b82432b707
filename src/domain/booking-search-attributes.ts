import type { SearchAttributePair } from '@temporalio/common';
import type { BookingStatus } from '../shared/booking';
import { BookingIdKey, BookingStatusKey, OrganizerIdKey, RoomIdKey, SeriesIdKey, SlotStartKey } from '../shared/search-attributes';

/** The search attributes a booking workflow starts with; the workflow keeps BookingStatus and SlotStart current. */
export function searchAttributesForBooking(
  input: { bookingId: string; roomId: string; organizerId: string; start: string; seriesId?: string },
  status: BookingStatus | 'requested',
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
