import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiDocument } from '../../src/api/documents';
import { buildPostmanCollection } from '../../scripts/lib/postman';
import { startBookingStack, type BookingStack } from '../bookings/support';
import { createRoom, createUser, type TestUser } from '../support/fixtures';
import { call } from '../support/http';

// CommonJS without bundled types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const newman = require('newman') as {
  run(options: object, cb: (err: Error | null, summary: NewmanSummary) => void): void;
};

interface NewmanSummary {
  run: {
    executions: { item: { name: string }; response?: { code: number } }[];
    failures: { source?: { name?: string }; error: { test?: string; message: string } }[];
    stats: { requests: { total: number; failed: number }; assertions: { total: number; failed: number } };
  };
}

type Item = { name: string; item?: Item[]; request?: { method: string; url: { path: string[] } } };
const requestsOf = (items: Item[]): string[] =>
  items
    .flatMap((i) => (i.item ? requestsOf(i.item) : [`${i.request!.method} /${i.request!.url.path.join('/')}`]))
    .sort();

describe('the Postman collection, run by newman against a running stack', () => {
  let stack: BookingStack;
  /**
   * The collection registers its example webhook endpoint (https://hooks.example.com/…, for
   * booking.*): left in the database the suites share, every later booking of any suite would be
   * delivered to a host that does not exist, and their workers would log the failures.
   */
  const removeExampleWebhooks = async (admin: TestUser): Promise<void> => {
    const listed = await call(stack, admin, 'GET', '/webhooks');
    for (const endpoint of listed.body.items as { id: string; url: string }[])
      if (new URL(endpoint.url).hostname === 'hooks.example.com')
        expect((await call(stack, admin, 'DELETE', `/webhooks/${endpoint.id}`)).status).toBe(204);
  };
  let collection: Record<string, any>;
  beforeAll(async () => {
    stack = await startBookingStack();
    collection = await buildPostmanCollection(buildApiDocument({ ...process.env, PUBLIC_URL: stack.baseUrl }));
  });
  afterAll(async () => {
    await stack.stop();
  });

  test('when the committed collection is compared with one generated now, then it has the same requests (npm run postman regenerates it)', () => {
    const committed = JSON.parse(
      readFileSync(join(__dirname, '../../postman/roombook.postman_collection.json'), 'utf8'),
    );
    expect(requestsOf(committed.item)).toEqual(requestsOf(collection.item));
  });

  test('when every request of the collection runs as an admin, then none is a 5xx and every error has the JSON error shape', async () => {
    const admin = await createUser(stack, { role: 'admin' });
    await createRoom(stack);
    const environment = JSON.parse(
      readFileSync(join(__dirname, '../../postman/roombook.postman_environment.json'), 'utf8'),
    );
    for (const v of environment.values) {
      if (v.key === 'baseUrl') v.value = stack.baseUrl;
      if (v.key === 'accessToken') v.value = admin.token;
    }
    const summary = await new Promise<NewmanSummary>((resolve, reject) =>
      newman.run({ collection, environment, reporters: [], timeoutRequest: 30000 }, (err, s) =>
        err ? reject(err) : resolve(s),
      ),
    ).finally(() => removeExampleWebhooks(admin));
    const operations = requestsOf(collection.item).length;
    expect(summary.run.stats.requests.total).toBe(operations);
    expect(summary.run.failures.map((f) => `${f.source?.name}: ${f.error.test ?? ''} ${f.error.message}`)).toEqual([]);
    // Every request answered, and the checks ran (two per error response, one per success).
    expect(summary.run.executions.every((e) => typeof e.response?.code === 'number')).toBe(true);
    expect(summary.run.stats.assertions.total).toBeGreaterThanOrEqual(operations);
    // Authenticated as the admin, most operations get past authentication.
    expect(summary.run.executions.filter((e) => e.response!.code === 401).length).toBeLessThan(operations / 4);
  });
});
