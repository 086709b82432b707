import { Webhook } from 'standardwebhooks';
import {
  endpointWants,
  isPublicAddress,
  matchesPattern,
  webhookTypesFor,
  webhookUrlProblem,
} from '../../src/domain/webhooks';
import { decryptSecret, encryptSecret, newWebhookSecret } from '../../src/webhooks/secrets';

describe('webhook event patterns', () => {
  test('when a pattern is a family, then it matches that family only; * matches everything', () => {
    expect(matchesPattern('booking.*', 'booking.created')).toBe(true);
    expect(matchesPattern('booking.*', 'booking.updated')).toBe(true);
    expect(matchesPattern('booking.*', 'room.status')).toBe(false);
    expect(matchesPattern('booking.created', 'booking.updated')).toBe(false);
    expect(matchesPattern('*', 'waitlist.offer')).toBe(true);
    expect(matchesPattern('ticket.*', 'ticketing.x')).toBe(false);
  });

  test('when a test message is sent, then every endpoint wants it', () => {
    expect(endpointWants(['room.status'], 'webhook.test')).toBe(true);
    expect(endpointWants(['room.status'], 'booking.created')).toBe(false);
  });

  test("when a booking's first announcement goes out, then it is booking.created; later ones booking.updated; review prompts none", () => {
    expect(webhookTypesFor('confirmed', 1)).toEqual(['booking.created', 'room.status']);
    expect(webhookTypesFor('hold_created', 1)).toEqual(['booking.created', 'room.status']);
    expect(webhookTypesFor('confirmed', 2)).toEqual(['booking.updated', 'room.status']);
    expect(webhookTypesFor('cancelled', 3)).toEqual(['booking.updated', 'room.status']);
    expect(webhookTypesFor('review_prompt', 5)).toEqual([]);
  });
});

describe('webhook targets', () => {
  test.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
    'not an address',
  ])('when an address is %s, then it is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  test.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'when an address is %s, then it is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  test('when a URL is not http(s) or carries credentials, then it is refused with a reason', () => {
    expect(webhookUrlProblem('ftp://example.com/x')).toMatch(/http/);
    expect(webhookUrlProblem('https://user:pw@example.com/x')).toMatch(/password/);
    expect(webhookUrlProblem('https://example.com/hooks?x=1')).toBeUndefined();
  });
});

describe('webhook secrets', () => {
  test('when a secret is encrypted, then only the same key reads it back, and the reference library signs and verifies with it', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const stored = encryptSecret('a key of at least thirty-two characters!', secret);
    expect(stored).not.toContain(secret.slice(6));
    expect(decryptSecret('a key of at least thirty-two characters!', stored)).toBe(secret);
    expect(() => decryptSecret('another key of at least thirty-two chars', stored)).toThrow();

    const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: {} });
    const at = new Date();
    const signature = new Webhook(secret).sign('msg_1', at, body);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});
