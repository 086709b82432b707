import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApiDocument } from '../../src/api/documents';
import { json } from '../support/http';
import { startApi, type TestStack } from '../support/stack';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

describe("the OpenAPI document against Redocly's recommended ruleset", () => {
  let stack: TestStack;
  let served: any;
  beforeAll(async () => {
    stack = await startApi();
    served = await json(await fetch(`${stack.baseUrl}/api/v1/openapi.json`));
  });
  afterAll(async () => {
    await stack.close();
  });

  test('when the served document is linted with the recommended rules, then there is no problem at all (errors or warnings)', async () => {
    // @redocly/openapi-core is ESM only: its lint API runs in a script of its own (also `npm run lint:openapi`).
    const file = join(mkdtempSync(join(tmpdir(), 'roombook-openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(served));
    const lint = spawnSync(process.execPath, [join(__dirname, '../../scripts/lint-openapi.mjs'), file, '--json'], {
      encoding: 'utf8',
    });
    expect(lint.stderr).toBe('');
    expect(JSON.parse(lint.stdout)).toEqual([]);
    expect(lint.status).toBe(0);
  });

  test('when operations are listed, then each has a unique operationId and declares its security (bearer, or none for public ones)', () => {
    const operations = Object.entries(served.paths).flatMap(([path, item]: [string, any]) =>
      METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, ...item[m] })),
    );
    expect(operations.length).toBeGreaterThan(60);
    const ids = operations.map((o) => o.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of operations) expect(Array.isArray(o.security)).toBe(true);
    const byId = Object.fromEntries(operations.map((o) => [o.operationId, o]));
    expect(byId.postAuthLogin.security).toEqual([]);
    expect(byId.postBookings.security).toEqual([{ bearer: [] }]);
  });

  test('when the document is built offline (npm run openapi), then it is the one the api serves', () => {
    expect(
      JSON.parse(JSON.stringify(buildApiDocument({ ...process.env, PUBLIC_URL: stack.deps.config.publicUrl }))),
    ).toEqual(served);
  });
});
