import { json } from './support/http';
import { apiForSuite, type TestStack } from './support/stack';

describe('operations endpoints and the error shape', () => {
  let stack: TestStack;
  apiForSuite((started) => (stack = started));

  test('when /health is asked, then it answers 200 ok with a request id', async () => {
    const res = await fetch(`${stack.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('when every dependency is up, then /ready answers 200 with each check ok', async () => {
    const res = await fetch(`${stack.baseUrl}/ready`);
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.checks).toEqual({ postgres: { ok: true }, redis: { ok: true }, temporal: { ok: true } });
  });

  test('when a route does not exist, then 404 comes in the JSON error shape', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/no-such-thing`);
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.message).toContain('/api/v1/no-such-thing');
  });

  test('when the body is malformed JSON, then 400 MALFORMED_JSON', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"roomId": ',
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('MALFORMED_JSON');
  });

  test('when the body is over the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(200 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('when a client sends its own request id, then it is echoed back', async () => {
    const res = await fetch(`${stack.baseUrl}/health`, { headers: { 'x-request-id': 'client-trace-1234' } });
    expect(res.headers.get('x-request-id')).toBe('client-trace-1234');
  });

  test('when /metrics is scraped, then it has process metrics and request durations by route template', async () => {
    await fetch(`${stack.baseUrl}/health`);
    const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
  });

  test('when the OpenAPI document is fetched, then it is 3.1 and lists the operations', async () => {
    const doc = await json(await fetch(`${stack.baseUrl}/api/v1/openapi.json`));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
    expect(doc.components.schemas.Error).toBeDefined();
  });

  test('when /docs is opened, then the page and its assets are served locally', async () => {
    const page = await fetch(`${stack.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/api/v1/openapi.json');
    const asset = await fetch(`${stack.baseUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
  });
});
