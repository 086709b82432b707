import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/**
 * A real local SMTP server: the run's sink (global setup), or a test's own on a port it
 * chooses, so it can take the server down and bring it back on the same address. Every accepted
 * message is written to `dir` as <time>-<n>-<uuid>.eml (names sort in arrival order), with an
 * X-Envelope-To first line, so tests in any jest worker read exactly what arrived.
 */
export async function startSmtpSink(
  dir: string,
  port = 0,
): Promise<{ server: SMTPServer; port: number; stop(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  let counter = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        counter += 1;
        const envelope = `X-Envelope-To: ${session.envelope.rcptTo.map((r) => r.address).join(', ')}\r\n`;
        const name = `${String(Date.now()).padStart(15, '0')}-${String(counter).padStart(6, '0')}-${randomUUID().slice(0, 8)}.eml`;
        writeFileSync(join(dir, name), envelope + Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    port: (server.server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
