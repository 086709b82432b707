import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import { RoomBookingsReader, type CalendarBooking } from '../../db/repositories/room-bookings';
import { bookingUid, renderCalendar, type IcsEvent } from '../../domain/ics';
import { badRequest } from '../../domain/errors';
import { getRoom } from './room-catalog';

export type CalendarView = 'day' | 'week';

/** Feeds carry recent history and the bookable future; a feed is polled, never paged. */
const FEED_PAST_DAYS = 60;
const FEED_FUTURE_DAYS = 366;
const FEED_MAX_EVENTS = 5000;

const localIso = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true });

/**
 * A room's day or week (Monday first) as the people in that building see it: day boundaries are
 * local midnights in the room's zone, so a day across a DST change has 23 or 25 hours. Instants
 * are UTC; localStart/localEnd carry the same instants with the room's offset for display.
 */
export async function roomCalendarView(
  deps: { dataSource: DataSource },
  roomId: string,
  view: CalendarView,
  date: string | undefined,
) {
  const room = await getRoom(deps, roomId);
  const zone = room.timezone;
  const anchor = date ? DateTime.fromISO(date, { zone }) : DateTime.now().setZone(zone);
  if (!anchor.isValid) {
    throw badRequest('Invalid query parameters: date: must be a calendar date YYYY-MM-DD', {
      fields: [{ in: 'query', field: 'date', message: 'must be a calendar date YYYY-MM-DD' }],
    });
  }
  const first = view === 'week' ? anchor.startOf('week') : anchor.startOf('day');
  const dayCount = view === 'week' ? 7 : 1;
  const days = Array.from({ length: dayCount }, (_, i) => {
    const start = first.plus({ days: i });
    return { start, end: start.plus({ days: 1 }) };
  });
  const from = days[0].start.toJSDate();
  const to = days[dayCount - 1].end.toJSDate();
  const bookings = await new RoomBookingsReader(deps.dataSource).forRoomView(roomId, from, to);
  return {
    roomId,
    timezone: zone,
    view,
    from: from.toISOString(),
    to: to.toISOString(),
    days: days.map(({ start, end }) => ({
      date: start.toISODate()!,
      start: start.toUTC().toISO()!,
      end: end.toUTC().toISO()!,
      hours: end.diff(start, 'hours').hours,
      bookings: bookings
        .filter((b) => b.start < end.toJSDate() && b.end > start.toJSDate())
        .map((b) => ({
          id: b.id,
          title: b.title,
          status: b.status,
          start: b.start.toISOString(),
          end: b.end.toISOString(),
          localStart: localIso(b.start, zone)!,
          localEnd: localIso(b.end, zone)!,
          organizer: { id: b.organizer.id, name: b.organizer.name },
        })),
    })),
  };
}

function toEvent(b: CalendarBooking, withPeople: boolean): IcsEvent {
  return {
    uid: bookingUid(b.id),
    sequence: b.sequence,
    status: b.status,
    start: b.start,
    end: b.end,
    summary: b.title,
    location: `${b.room.name}, ${b.room.building}, floor ${b.room.floor}`,
    created: b.createdAt,
    lastModified: b.updatedAt,
    organizer: withPeople ? { name: b.organizer.name, email: b.organizer.email } : undefined,
    attendees: withPeople ? b.attendees : undefined,
  };
}

function feedWindow(now = Date.now()) {
  return { from: new Date(now - FEED_PAST_DAYS * 86_400_000), to: new Date(now + FEED_FUTURE_DAYS * 86_400_000) };
}

/** A room's feed: who booked it is left out (anyone signed in may subscribe to any room). */
export async function roomIcs(
  deps: { dataSource: DataSource },
  roomId: string,
): Promise<{ filename: string; body: string }> {
  const room = await getRoom(deps, roomId);
  const { from, to } = feedWindow();
  const bookings = await new RoomBookingsReader(deps.dataSource).forRoomFeed(roomId, from, to, FEED_MAX_EVENTS);
  const body = renderCalendar({
    name: `${room.name} (${room.building})`,
    timezone: room.timezone,
    events: bookings.map((b) => toEvent(b, false)),
  });
  return { filename: `room-${room.id}.ics`, body };
}

/** A person's feed: the bookings they organise or attend, with organizer and attendees. */
export async function userIcs(
  deps: { dataSource: DataSource },
  userId: string,
): Promise<{ filename: string; body: string }> {
  const { from, to } = feedWindow();
  const bookings = await new RoomBookingsReader(deps.dataSource).forUserFeed(userId, from, to, FEED_MAX_EVENTS);
  return {
    filename: 'roombook.ics',
    body: renderCalendar({ name: 'Roombook', events: bookings.map((b) => toEvent(b, true)) }),
  };
}
