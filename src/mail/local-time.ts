/**
 * Times as a reader sees them: in their zone, with the zone named both ways (the IANA name a
 * person recognises, and the offset that day), e.g. "Tue 1 Dec 2026, 18:00 (Asia/Tokyo, GMT+9)".
 */
// Building a formatter costs far more than using one (ICU loads the zone's rules): one per zone and kind.
const formatters = new Map<string, Intl.DateTimeFormat>();
function cached(kind: string, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = make()));
  return format;
}
const dateFormat = (timeZone: string) =>
  cached(
    'date',
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }),
  );
const timeFormat = (timeZone: string) =>
  cached(
    'time',
    timeZone,
    () => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  );
const offsetFormat = (timeZone: string) =>
  cached('offset', timeZone, () => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' }));

export function zoneLabel(iso: string, timeZone: string): string {
  const offset =
    offsetFormat(timeZone)
      .formatToParts(new Date(iso))
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${timeZone}, ${offset}`;
}

const dateOf = (iso: string, timeZone: string) => dateFormat(timeZone).format(new Date(iso)).replace(/,/g, '');
const timeOf = (iso: string, timeZone: string) => timeFormat(timeZone).format(new Date(iso));

/** One instant: "Tue 1 Dec 2026, 18:00 (Asia/Tokyo, GMT+9)". */
export function localInstant(iso: string, timeZone: string): string {
  return `${dateOf(iso, timeZone)}, ${timeOf(iso, timeZone)} (${zoneLabel(iso, timeZone)})`;
}

/** A slot: "Tue 1 Dec 2026, 18:00–19:00 (Asia/Tokyo, GMT+9)"; the end's date only when it differs. */
export function localRange(startIso: string, endIso: string, timeZone: string): string {
  const sameDay = dateOf(startIso, timeZone) === dateOf(endIso, timeZone);
  const end = sameDay ? timeOf(endIso, timeZone) : `${dateOf(endIso, timeZone)}, ${timeOf(endIso, timeZone)}`;
  const zone = zoneLabel(startIso, timeZone);
  const endZone = zoneLabel(endIso, timeZone);
  // Across a daylight-saving change the offset at the end differs: name both.
  return `${dateOf(startIso, timeZone)}, ${timeOf(startIso, timeZone)}–${end} (${zone === endZone ? zone : `${zone} → ${endZone.split(', ')[1]}`})`;
}
