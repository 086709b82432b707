import nodemailer, { type Transporter } from 'nodemailer';

/** One SMTP transport per process (pooled); SMTP_URL decides where mail goes. */
export function createMailer(smtpUrl: string): Transporter {
  const url = new URL(smtpUrl);
  return nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A local catcher speaks plain SMTP; a real relay upgrades with STARTTLS when it offers it.
    ignoreTLS: ['127.0.0.1', 'localhost'].includes(url.hostname),
    pool: true,
    maxConnections: 4,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10000,
  });
}

export type { Transporter };
