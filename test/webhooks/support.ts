import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver took, after the reference library verified its signature. */
export interface Received {
  /** The URL path it was sent to: each test's endpoint has its own. */
  path: string;
  id: string;
  type: string;
  timestamp: string;
  data: any;
}

/**
 * A real HTTP receiver on a fixed port, as an integrator would write it: every request is verified
 * with the Standard Webhooks reference library (`Webhook.verify`) under the endpoint's secret; a
 * request that fails verification is answered 400 and kept in `rejected`. It can go down and come
 * back on the same port.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  readonly rejected: { headers: IncomingHttpHeaders; error: string }[] = [];
  private server?: Server;
  private secrets: string[] = [];

  constructor(readonly port: number) {}

  static async start(): Promise<WebhookReceiver> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const receiver = new WebhookReceiver(port);
    await receiver.up();
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  trust(secret: string): void {
    this.secrets.push(secret);
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        };
        let payload: { type: string; timestamp: string; data: unknown } | undefined;
        let lastError = 'no secret';
        for (const secret of this.secrets) {
          try {
            payload = new Webhook(secret).verify(body, headers) as typeof payload;
            break;
          } catch (err) {
            lastError = (err as Error).message;
          }
        }
        if (!payload) {
          this.rejected.push({ headers: req.headers, error: lastError });
          res.writeHead(400).end();
          return;
        }
        this.received.push({ path: req.url ?? '', id: headers['webhook-id'], ...payload });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** What arrived at one endpoint's path, in arrival order. */
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** The booking.* messages of one booking that arrived at one path, in arrival order. */
  ofBooking(path: string, bookingId: string): Received[] {
    return this.at(path).filter((r) => r.type.startsWith('booking.') && r.data?.booking?.id === bookingId);
  }
}
