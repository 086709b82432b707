import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { eventually } from '../bookings/support';

/** A message about an account (verification, password reset) as the run's SMTP server received it. */
export interface AccountMessage {
  file: string;
  envelopeTo: string[];
  kind: string;
  subject: string;
  text: string;
}

const seen = new Map<string, AccountMessage | null>();

/** Every account message that reached the run's SMTP sink for `address` (envelope recipient), oldest first. */
export async function accountMailTo(address: string, kind?: string): Promise<AccountMessage[]> {
  const dir = process.env.TEST_MAIL_DIR;
  if (!dir) throw new Error('TEST_MAIL_DIR is not set: run the tests with `npm test`.');
  const out: AccountMessage[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()) {
    const path = join(dir, file);
    if (!seen.has(path)) {
      const raw = readFileSync(path, 'utf8');
      if (!/^X-Roombook-Kind: (verify-email|password-reset)\r?$/m.test(raw)) {
        seen.set(path, null);
      } else {
        const envelope = /^X-Envelope-To: (.*)\r?\n/.exec(raw);
        const mail = await simpleParser(raw);
        seen.set(path, {
          file,
          envelopeTo: envelope ? envelope[1].split(', ').map((s) => s.trim().toLowerCase()) : [],
          kind: String(mail.headers.get('x-roombook-kind') ?? ''),
          subject: mail.subject ?? '',
          text: mail.text ?? '',
        });
      }
    }
    const message = seen.get(path);
    if (message && message.envelopeTo.includes(address.toLowerCase()) && (!kind || message.kind === kind))
      out.push(message);
  }
  return out;
}

/** Waits for the `count`-th account message of a kind to an address (a liveness bound, not a timing assertion). */
export async function awaitAccountMail(address: string, kind: string, count = 1): Promise<AccountMessage> {
  const messages = await eventually(
    () => accountMailTo(address, kind),
    (m) => m.length >= count,
    20000,
  );
  if (messages.length < count)
    throw new Error(`${kind} message ${count} to ${address} did not arrive (got ${messages.length})`);
  return messages[count - 1];
}

/** The signed token of the link in a message, by what the text says before the URL. */
export function linkToken(message: AccountMessage, label: string): { url: string; token: string } {
  const match = new RegExp(`${label}: (\\S+)`).exec(message.text);
  if (!match) throw new Error(`No "${label}" link in:\n${message.text}`);
  const token = new URL(match[1]).searchParams.get('token');
  if (!token) throw new Error(`The link has no token: ${match[1]}`);
  return { url: match[1], token };
}
