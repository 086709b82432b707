import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMailer, type Transporter } from '../../src/mail/transport';
import { startSmtpSink } from '../support/smtp-sink';

/** The pooled transport over our own (Nagle-free) sockets: failures must reach every waiting message. */
describe('the SMTP transport', () => {
  const dir = join(
    process.env.TEST_MAIL_DIR ?? join('.data', 'test-mail', 'run'),
    '..',
    `transport-${randomUUID().slice(0, 8)}`,
  );
  let mailer: Transporter | undefined;
  let sink: Awaited<ReturnType<typeof startSmtpSink>> | undefined;
  afterAll(async () => {
    mailer?.close();
    await sink?.stop();
  });

  const message = (n: number) => ({
    from: 'roombook@example.test',
    to: `reader-${n}@example.test`,
    subject: `message ${n}`,
    text: 'hello',
    messageId: `<transport-${n}-${randomUUID()}@roombook>`,
  });
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'sent',
      (err: Error) => `failed: ${err.message}`,
    );

  test('when the server is down, then every one of several concurrent messages fails, and once it is back every one is delivered', async () => {
    // A free port, left closed.
    const probe = await startSmtpSink(dir);
    const port = probe.port;
    await probe.stop();
    mailer = createMailer(`smtp://127.0.0.1:${port}`);

    const down = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => outcome(mailer!.sendMail(message(n)))));
    expect(down.every((o) => o.startsWith('failed: ') && o.includes('ECONNREFUSED'))).toBe(true);

    sink = await startSmtpSink(dir, port);
    const up = await Promise.all([7, 8, 9, 10, 11, 12].map((n) => outcome(mailer!.sendMail(message(n)))));
    expect(up).toEqual(Array(6).fill('sent'));
    expect(readdirSync(dir).filter((f) => f.endsWith('.eml'))).toHaveLength(6);
  });
});
