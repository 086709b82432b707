import net from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import nodemailer, { type SendMailOptions, type SentMessageInfo, type Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/**
 * TCP connections to the SMTP server with Nagle's algorithm off. SMTP ends each message with a
 * small write ("\r\n.\r\n") that Nagle holds back until the server acknowledges the previous one,
 * and servers delay that ACK by up to 40 ms: measured, 44 ms per message against 1.7 ms without
 * (docs/performance.md). nodemailer opens its sockets with the default, so we hand it ours, still
 * connecting: its own handlers then see every failure (the pool rejects the waiting messages; a
 * failure reported through this callback instead would leave them waiting forever), its greeting
 * timeout covers the connect, and it does the TLS (smtps, or STARTTLS) on top.
 */
function noDelaySocket(host: string, port: number) {
  return (
    _options: unknown,
    callback: (err: Error | null, socketOptions?: { connection: net.Socket }) => void,
  ): void => {
    callback(null, { connection: net.connect({ host, port, noDelay: true }) });
  };
}

/** One SMTP transport per process (pooled); SMTP_URL decides where mail goes. */
export function createMailer(smtpUrl: string): Transporter {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const port = Number(url.port || (secure ? 465 : 25));
  const transporter = nodemailer.createTransport({
    host: url.hostname,
    port,
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A local catcher speaks plain SMTP; a real relay upgrades with STARTTLS when it offers it.
    ignoreTLS: ['127.0.0.1', 'localhost'].includes(url.hostname),
    pool: true,
    maxConnections: 4,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10000,
    getSocket: noDelaySocket(url.hostname, port),
  });
  return withSendSpans(transporter, url.hostname, port);
}

const tracer = trace.getTracer('roombook-mail');

/**
 * Each sendMail (promise form) in a client span `smtp send`, a child of the activity that sends it.
 * Without a tracing SDK the API's tracer is a no-op.
 */
function withSendSpans(transporter: Transporter, host: string, port: number): Transporter {
  const original = transporter.sendMail as (mail: Mail.Options, callback?: unknown) => Promise<SentMessageInfo> | void;
  const send = (mail: Mail.Options) => original.call(transporter, mail) as Promise<SentMessageInfo>;
  const traced = (mail: Mail.Options, callback?: unknown) => {
    if (callback) return original.call(transporter, mail, callback);
    return tracer.startActiveSpan(
      'smtp send',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'server.address': host, 'server.port': port, 'network.protocol.name': 'smtp' },
      },
      async (span) => {
        try {
          const info = await send(mail);
          span.setAttribute('email.message_id', String(info.messageId ?? ''));
          span.setAttribute('email.recipients', Array.isArray(info.accepted) ? info.accepted.length : 0);
          return info;
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  };
  transporter.sendMail = traced as Transporter['sendMail'];
  return transporter;
}

/**
 * One message from a process without a long-lived mailer (the api): opens a transport, tries a few
 * times with doubling backoff (1, 2, 4 s by default), closes it. Rejects with the last error. A
 * fixed Message-ID makes a retry that did reach the server the same message.
 */
export async function sendWithRetries(
  transport: { smtpUrl: string; mailer?: Transporter },
  message: SendMailOptions,
  options: { attempts?: number; backoffMs?: number } = {},
): Promise<void> {
  const { attempts = 4, backoffMs = 1000 } = options;
  const mailer = transport.mailer ?? createMailer(transport.smtpUrl);
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await mailer.sendMail(message);
        return;
      } catch (err) {
        if (attempt >= attempts) throw err;
        await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
      }
    }
  } finally {
    if (!transport.mailer) mailer.close();
  }
}

export type { Transporter };
