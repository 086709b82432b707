import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from '../domain/webhooks';

/** A target that resolves to an address we do not send to (loopback, private, link-local, …). */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
}

/** Every address the URL's host resolves to must be public; answers the refused ones. */
export async function refusedAddresses(url: string): Promise<string[]> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = await dns.lookup(host, { all: true, verbatim: true });
  return addresses.map((a) => a.address).filter((a) => !isPublicAddress(a));
}

/**
 * A lookup for the request itself: the addresses are checked at connect time, on the very answer
 * the socket connects to, so a name that resolved to a public address when it was registered and
 * to a private one now (DNS rebinding) is refused as well.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as unknown as LookupAddress[];
    const refused = list.find((a) => !isPublicAddress(a.address));
    if (refused) {
      return callback(
        new WebhookTargetRefused(`${hostname} resolves to ${refused.address}, a non-public address`),
        '',
        0,
      );
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    return callback(null, list[0].address, list[0].family);
  });
};

export interface WebhookAttempt {
  statusCode?: number;
  error?: string;
  latencyMs: number;
  refused?: boolean;
}

/** POSTs one signed message; never throws: the outcome (status or error, latency) is the answer. */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutSeconds: number; allowPrivateTargets: boolean },
): Promise<WebhookAttempt> {
  const started = process.hrtime.bigint();
  const latency = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  // An address literal is connected to without any lookup: judge it here.
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateTargets && isIP(literal) && !isPublicAddress(literal)) {
    return Promise.resolve({
      error: `${literal} is a non-public address`,
      latencyMs: latency(),
      refused: true,
    });
  }
  return new Promise((resolve) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Roombook-Webhooks/1',
        },
        timeout: options.timeoutSeconds * 1000,
        ...(options.allowPrivateTargets ? {} : { lookup: guardedLookup }),
      },
      (response) => {
        // Only the status matters; the body is drained (and capped by the timeout) so the socket is freed.
        response.resume();
        response.on('end', () => resolve({ statusCode: response.statusCode, latencyMs: latency() }));
        response.on('error', (err) => resolve({ error: err.message, latencyMs: latency() }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutSeconds} s`)));
    request.on('error', (err) =>
      resolve({ error: err.message, latencyMs: latency(), refused: err instanceof WebhookTargetRefused }),
    );
    request.end(body);
  });
}
