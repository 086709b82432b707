import { DateTime } from 'luxon';
import { RRule, type Options } from 'rrule';
import { badRequest } from './errors';

/** Most occurrences one series may have: bounds the work of one request and one transaction. */
export const MAX_SERIES_OCCURRENCES = 500;

/** The frequencies people book rooms with; finer ones (hourly, minutely) are not meeting patterns. */
const FREQUENCIES = { DAILY: RRule.DAILY, WEEKLY: RRule.WEEKLY, MONTHLY: RRule.MONTHLY } as const;
const PARTS = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL', 'WKST']);

/** One occurrence: its original start (the iCalendar RECURRENCE-ID) and its slot, all UTC ISO-8601. */
export interface PlannedOccurrence {
  occurrenceStart: string;
  start: string;
  end: string;
}

export interface RecurrenceRequest {
  /** The first occurrence's start and end, with a zone (Z or an offset). */
  start: string;
  end: string;
  /** IANA zone the rule is followed in: 09:00 stays 09:00 local across daylight-saving changes. */
  timezone: string;
  rrule: string;
  exdates?: string[];
}

const invalid = (field: string, message: string) =>
  badRequest(`Invalid request body: ${field}: ${message}`, { fields: [{ in: 'body', field, message }] });

const utcIso = (d: DateTime) => d.toJSDate().toISOString();

/**
 * Parses a RRULE restricted to what a room series needs (FREQ DAILY/WEEKLY/MONTHLY, INTERVAL,
 * BYDAY, BYMONTHDAY, COUNT or UNTIL). Every refusal is a 400 naming `rrule` and saying why.
 */
export function parseSeriesRule(text: string): Partial<Options> {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (!body) throw invalid('rrule', 'must not be empty');
  const seen = new Map<string, string>();
  for (const part of body.split(';')) {
    const [key, value, ...rest] = part.split('=');
    const name = key?.trim().toUpperCase();
    if (!name || value === undefined || rest.length) throw invalid('rrule', `"${part}" is not a KEY=VALUE part`);
    if (!PARTS.has(name))
      throw invalid('rrule', `${name} is not supported (use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL)`);
    if (seen.has(name)) throw invalid('rrule', `${name} appears twice`);
    seen.set(name, value.trim().toUpperCase());
  }
  const freq = seen.get('FREQ');
  if (!freq) throw invalid('rrule', 'FREQ is required');
  if (!(freq in FREQUENCIES)) throw invalid('rrule', `FREQ=${freq} is not supported (DAILY, WEEKLY or MONTHLY)`);
  if (seen.has('COUNT') && seen.has('UNTIL'))
    throw invalid('rrule', 'COUNT and UNTIL must not both be given (RFC 5545)');
  if (!seen.has('COUNT') && !seen.has('UNTIL')) {
    throw invalid(
      'rrule',
      `a rule without COUNT or UNTIL never ends; give one (at most ${MAX_SERIES_OCCURRENCES} occurrences)`,
    );
  }
  const count = seen.get('COUNT');
  if (count !== undefined) {
    if (!/^\d+$/.test(count) || Number(count) < 1) throw invalid('rrule', 'COUNT must be a positive integer');
    if (Number(count) > MAX_SERIES_OCCURRENCES)
      throw invalid('rrule', `COUNT=${count} is over the cap of ${MAX_SERIES_OCCURRENCES} occurrences`);
  }
  const interval = seen.get('INTERVAL');
  if (interval !== undefined && (!/^\d+$/.test(interval) || Number(interval) < 1 || Number(interval) > 366))
    throw invalid('rrule', 'INTERVAL must be an integer from 1 to 366');
  const until = seen.get('UNTIL');
  if (until !== undefined && !/^\d{8}(T\d{6}Z?)?$/.test(until))
    throw invalid('rrule', 'UNTIL must be a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSSZ)');
  const byday = seen.get('BYDAY');
  if (byday !== undefined && !byday.split(',').every((d) => /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.test(d)))
    throw invalid('rrule', 'BYDAY must list weekdays like MO,WE or 1MO,-1FR');
  const bymonthday = seen.get('BYMONTHDAY');
  if (
    bymonthday !== undefined &&
    !bymonthday.split(',').every((d) => /^-?\d{1,2}$/.test(d) && Math.abs(Number(d)) >= 1 && Math.abs(Number(d)) <= 31)
  ) {
    throw invalid('rrule', 'BYMONTHDAY must list days from 1 to 31 (or -31 to -1)');
  }
  try {
    return RRule.parseString(body.toUpperCase());
  } catch (err) {
    throw invalid('rrule', `not a valid RRULE (${(err as Error).message})`);
  }
}

/**
 * Every occurrence of the series, in order. The rule runs over local wall-clock times in the
 * series' zone (rrule's "floating" dates: UTC fields standing for local ones), and each local start
 * is then placed in the zone, so a 09:00 meeting is at 09:00 local before and after a
 * daylight-saving change; its length in real time stays that of the first occurrence.
 */
export function expandSeries(request: RecurrenceRequest): PlannedOccurrence[] {
  const zone = request.timezone;
  const start = DateTime.fromISO(request.start, { setZone: true });
  const end = DateTime.fromISO(request.end, { setZone: true });
  if (!start.isValid) throw invalid('start', 'is not a valid date-time');
  if (!end.isValid) throw invalid('end', 'is not a valid date-time');
  if (end <= start) throw invalid('end', 'must be after start');
  if (!DateTime.now().setZone(zone).isValid) throw invalid('timezone', 'must be an IANA time zone, e.g. Europe/Berlin');
  const options = parseSeriesRule(request.rrule);

  const local = start.setZone(zone);
  const floating = (d: DateTime) => new Date(Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second));
  if (options.until) {
    // UNTIL in UTC is an instant: compare it in the same floating local frame as the occurrences.
    const raw = request.rrule.toUpperCase().match(/UNTIL=(\d{8}(T\d{6}Z?)?)/)?.[1] ?? '';
    const untilLocal = raw.endsWith('Z')
      ? DateTime.fromJSDate(options.until).setZone(zone)
      : DateTime.fromJSDate(options.until, { zone: 'utc' });
    options.until = floating(raw.length === 8 ? untilLocal.endOf('day') : untilLocal);
  }
  const rule = new RRule({ ...options, dtstart: floating(local), tzid: null });
  const starts = rule.all((_, i) => i <= MAX_SERIES_OCCURRENCES);
  if (starts.length > MAX_SERIES_OCCURRENCES) {
    throw invalid(
      'rrule',
      `the rule has more than ${MAX_SERIES_OCCURRENCES} occurrences (the cap); end it sooner with COUNT or UNTIL`,
    );
  }
  const lengthMs = end.toMillis() - start.toMillis();
  const occurrences = starts.map((d) => {
    const at = DateTime.fromObject(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      },
      { zone },
    );
    const iso = utcIso(at);
    return { occurrenceStart: iso, start: iso, end: utcIso(at.plus({ milliseconds: lengthMs })) };
  });

  const exdates = (request.exdates ?? []).map((x, i) => {
    const t = DateTime.fromISO(x, { setZone: true });
    if (!t.isValid) throw invalid(`exdates.${i}`, 'is not a valid date-time');
    const iso = utcIso(t);
    if (!occurrences.some((o) => o.occurrenceStart === iso))
      throw invalid(`exdates.${i}`, `${x} is not an occurrence of the rule`);
    return iso;
  });
  const kept = occurrences.filter((o) => !exdates.includes(o.occurrenceStart));
  if (!kept.length) throw invalid('rrule', 'the rule (minus exdates) has no occurrences');
  return kept;
}

/**
 * The remaining occurrences of a series moved the way one occurrence was edited: the same change
 * of local start time and length applies to each (a 09:00 → 10:00 move stays 10:00 local).
 */
export function shiftOccurrences(
  occurrences: PlannedOccurrence[],
  from: PlannedOccurrence,
  to: { start: string; end: string },
  zone: string,
): PlannedOccurrence[] {
  const before = DateTime.fromISO(from.start, { zone });
  const after = DateTime.fromISO(to.start, { zone });
  const shift = after.diff(before, ['days', 'hours', 'minutes', 'seconds']);
  const lengthMs = Date.parse(to.end) - Date.parse(to.start);
  return occurrences.map((o) => {
    const start = DateTime.fromISO(o.occurrenceStart, { zone }).plus(shift);
    return {
      occurrenceStart: utcIso(start),
      start: utcIso(start),
      end: utcIso(start.plus({ milliseconds: lengthMs })),
    };
  });
}
