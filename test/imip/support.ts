import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import * as nodeIcal from 'node-ical';

const FIXTURES = join(__dirname, '..', 'fixtures', 'imip');

export type Client = 'outlook' | 'google' | 'apple' | 'thunderbird' | 'malformed';

export interface InviteFields {
  room: string;
  organizer: string;
  uid?: string;
  sequence?: number;
  method?: 'REQUEST' | 'CANCEL';
  start: string;
  end: string;
  summary?: string;
  rrule?: string;
}

const CRLF = (text: string) => text.replace(/\r?\n/g, '\r\n');
const localBerlin = (iso: string) => DateTime.fromISO(iso).setZone('Europe/Berlin').toFormat("yyyyMMdd'T'HHmmss");
const utcBasic = (iso: string) => DateTime.fromISO(iso).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

/** The client's message for these fields: its .ics filled in, encoded as the client encodes it, inside its .eml. */
export function inviteMessage(client: Client, fields: InviteFields): string {
  const method = fields.method ?? 'REQUEST';
  const values: Record<string, string> = {
    ROOM: fields.room,
    ORGANIZER: fields.organizer,
    UID: fields.uid ?? `${randomUUID()}@example.test`,
    SEQUENCE: String(fields.sequence ?? 0),
    METHOD: method,
    STATUS: method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    SUMMARY: fields.summary ?? 'Planning',
    DTSTART_LOCAL: localBerlin(fields.start),
    DTEND_LOCAL: localBerlin(fields.end),
    DTSTART_UTC: utcBasic(fields.start),
    DTEND_UTC: utcBasic(fields.end),
    RRULE: fields.rrule ? `RRULE:${fields.rrule}\n` : '',
    MESSAGE_ID: randomUUID(),
  };
  const calendar = CRLF(fill(readFileSync(join(FIXTURES, `${client}.ics`), 'utf8'), values));
  const eml = CRLF(fill(readFileSync(join(FIXTURES, `${client}.eml`), 'utf8'), values));
  return eml.replace(/\{\{CALENDAR:([a-z0-9-]+)\}\}/g, (_whole, encoding: string) => {
    if (encoding === 'base64') return Buffer.from(calendar).toString('base64').replace(/.{76}/g, '$&\r\n');
    if (encoding === 'quoted-printable') return qpWrap(qpEncode(calendar), 76);
    return calendar;
  });
}

/** Sends a raw message to the listener over SMTP, as a sending mail server would. */
export async function sendRaw(port: number, from: string, to: string[], raw: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from, to }, raw });
  } finally {
    transport.close();
  }
}

export interface RoomReplyMail {
  file: string;
  from: string;
  subject: string;
  /** The REPLY as node-ical (not the parser the code uses) reads it. */
  method: string;
  uid: string;
  sequence: number;
  partstat: string;
  attendee: string;
  cutype: string;
  comment: string;
}

function mailDir(): string {
  const dir = process.env.TEST_MAIL_DIR;
  if (!dir) throw new Error('TEST_MAIL_DIR is not set: run the tests with `npm test`.');
  return dir;
}

/**
 * Every message from a room mailbox (at `roomDomain`) that reached the run's SMTP server for this
 * organizer, in arrival order (the organizer's booking mails from Roombook are not among them).
 */
export async function repliesTo(organizer: string, roomDomain = 'rooms.roombook.local'): Promise<RoomReplyMail[]> {
  const out: RoomReplyMail[] = [];
  for (const file of readdirSync(mailDir())
    .filter((f) => f.endsWith('.eml'))
    .sort()) {
    const raw = readFileSync(join(mailDir(), file), 'utf8');
    const envelope = /^X-Envelope-To: (.*)\r?\n/.exec(raw);
    if (!envelope || !envelope[1].toLowerCase().split(', ').includes(organizer.toLowerCase())) continue;
    const mail = await simpleParser(raw);
    if (!mail.from?.value[0]?.address?.toLowerCase().endsWith(`@${roomDomain}`)) continue;
    const part = mail.attachments.find((a) => a.contentType === 'text/calendar');
    if (!part) throw new Error(`${file}: a room's message without a calendar part`);
    const parsed = nodeIcal.sync.parseICS(part.content.toString('utf8'));
    const event = Object.values(parsed).find((c) => c?.type === 'VEVENT') as unknown as {
      uid: string;
      sequence: string | number;
      method?: string;
      comment?: string;
      attendee: { params: Record<string, string>; val: string };
    };
    const calendar = parsed.vcalendar as unknown as { method?: string } | undefined;
    out.push({
      file,
      from: mail.from?.value[0]?.address ?? '',
      subject: mail.subject ?? '',
      method: calendar?.method ?? event.method ?? '',
      uid: event.uid,
      sequence: Number(event.sequence),
      partstat: event.attendee.params.PARTSTAT,
      cutype: event.attendee.params.CUTYPE,
      attendee: event.attendee.val.replace(/^mailto:/i, '').toLowerCase(),
      comment: String(event.comment ?? ''),
    });
  }
  return out;
}
