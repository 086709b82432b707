import ICAL from 'ical.js';

/** A calendar as a real iCalendar parser (ical.js) reads it: a malformed one throws here. */
export function parseCalendar(text: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(text));
}

/** What every test of a VEVENT reads: its identity, state, times (UTC ISO-8601) and title. */
export function eventFields(vevent: ICAL.Component) {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: String(vevent.getFirstPropertyValue('status')),
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    summary: event.summary,
  };
}
