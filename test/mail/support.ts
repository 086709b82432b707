import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventFields, parseCalendar } from '../support/ical';
import { simpleParser, type ParsedMail } from 'mailparser';
import { eventually } from '../bookings/support';
import { startSmtpSink } from '../support/smtp-sink';

/** One message as the test SMTP server received it. */
export interface CapturedMail {
  file: string;
  /** RCPT TO addresses, as the server saw them. */
  envelopeTo: string[];
  bookingId: string;
  kind: string;
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
  /** A header as sent (unfolded), by lower-case name; mailparser restructures some (List-*). */
  header(name: string): string | undefined;
  /** The text/calendar part, when the message carries an invite. */
  calendar?: { method: string; raw: string };
}

const parsed = new Map<string, CapturedMail | null>();

function mailDir(): string {
  const dir = process.env.TEST_MAIL_DIR;
  if (!dir) throw new Error('TEST_MAIL_DIR is not set: run the tests with `npm test`.');
  return dir;
}

/** Every message of one booking that reached the run's SMTP server (or the given directory). */
export async function mailsOf(bookingId: string, dir = mailDir()): Promise<CapturedMail[]> {
  const out: CapturedMail[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()) {
    const path = join(dir, file);
    if (!parsed.has(path)) {
      const raw = readFileSync(path, 'utf8');
      parsed.set(path, raw.includes('X-Roombook-Booking:') ? await parseCaptured(path, raw) : null);
    }
    const mail = parsed.get(path);
    if (mail && mail.bookingId === bookingId) out.push(mail);
  }
  return out;
}

async function parseCaptured(file: string, raw: string): Promise<CapturedMail> {
  const envelope = /^X-Envelope-To: (.*)\r?\n/.exec(raw);
  const mail = await simpleParser(raw);
  const header = (name: string) => String(mail.headers.get(name) ?? '');
  const calendarPart = mail.attachments.find((a) => a.contentType === 'text/calendar');
  const rawCalendar = calendarPart?.content.toString('utf8');
  return {
    file,
    envelopeTo: envelope ? envelope[1].split(', ').map((s) => s.trim().toLowerCase()) : [],
    bookingId: header('x-roombook-booking'),
    kind: header('x-roombook-kind'),
    messageId: mail.messageId ?? '',
    to: (Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(', ') : (mail.to?.text ?? '')).toLowerCase(),
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : '',
    headers: mail.headers,
    header: (name: string) => {
      const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
      return line?.replace(/\r?\n[ \t]+/g, ' ').replace(/^[^:]+:\s*/, '');
    },
    ...(rawCalendar ? { calendar: { method: /^METHOD:(\w+)/m.exec(rawCalendar)?.[1] ?? '', raw: rawCalendar } } : {}),
  };
}

/** Waits until the booking's messages satisfy `ok` (a liveness bound, not a timing assertion). */
export function mailsWhen(
  bookingId: string,
  ok: (mails: CapturedMail[]) => boolean,
  limitMs = 20000,
  dir?: string,
): Promise<CapturedMail[]> {
  return eventually(() => mailsOf(bookingId, dir), ok, limitMs);
}

/** Messages of one kind, by the address they went to. */
export function byRecipient(mails: CapturedMail[], kind: string): Map<string, CapturedMail[]> {
  const out = new Map<string, CapturedMail[]>();
  for (const m of mails.filter((x) => x.kind === kind)) {
    for (const rcpt of m.envelopeTo) out.set(rcpt, [...(out.get(rcpt) ?? []), m]);
  }
  return out;
}

/** Lets messages that would arrive late arrive, before a test says something did not. */
export const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));

/** The invite's VEVENT as a real iCalendar parser reads it. */
export function parseInvite(raw: string) {
  const calendar = parseCalendar(raw);
  const vevent = calendar.getFirstSubcomponent('vevent')!;
  return {
    method: String(calendar.getFirstPropertyValue('method')),
    ...eventFields(vevent),
    organizer: String(vevent.getFirstPropertyValue('organizer')),
    // A URI scheme is case-insensitive (RFC 3986 3.1): ical-generator writes MAILTO: for attendees.
    attendees: vevent
      .getAllProperties('attendee')
      .map((p) => String(p.getFirstValue()).replace(/^mailto:/i, 'mailto:')),
  };
}

/** A link from a message's text part, by what it says before the URL. */
export function linkIn(mail: CapturedMail, label: string): string {
  const match = new RegExp(`${label}: (\\S+)`).exec(mail.text);
  if (!match) throw new Error(`No "${label}" link in:\n${mail.text}`);
  return match[1];
}

/** An SMTP server of a test's own (see startSmtpSink), e.g. to take it down and back up on one port. */
export async function startCatcher(dir: string, port = 0): Promise<{ port: number; stop(): Promise<void> }> {
  return startSmtpSink(dir, port);
}
