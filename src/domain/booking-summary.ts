import type { BookingWorkflowInput } from '../shared/booking-messages';

/** One line for the Temporal UI: room, slot in the room's zone, organizer. */
export function staticSummaryFor(
  input: Pick<BookingWorkflowInput, 'roomName' | 'roomTimezone' | 'start' | 'end' | 'organizerLabel' | 'title'>,
): string {
  const fmt = (iso: string, opts: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: input.roomTimezone, ...opts }).format(new Date(iso));
  const day = fmt(input.start, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
  const from = fmt(input.start, { hour: '2-digit', minute: '2-digit' });
  const to = fmt(input.end, { hour: '2-digit', minute: '2-digit' });
  return `${input.roomName} · ${day} ${from}–${to} (${input.roomTimezone}) · ${input.organizerLabel} · “${input.title}”`;
}
