import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'roombook-config-'));

describe('configuration', () => {
  test('when nothing is set, then the local defaults from DESIGN.md apply', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/roombook');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.temporal).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'bookings',
      uiPort: 8233,
    });
    expect(config.smtpUrl).toBe('smtp://127.0.0.1:1025');
  });

  test("when the worker's bounds are not set, then its workflow cache is bounded and the SDK's task limits apply; when set, they are used", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).worker).toEqual({
      maxCachedWorkflows: 1000,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 100,
      maxConcurrentLocalActivityExecutions: 100,
    });
    expect(
      loadConfig({
        DATA_DIR: dataDir(),
        WORKER_MAX_CACHED_WORKFLOWS: '0',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
        WORKER_MAX_CONCURRENT_ACTIVITIES: '20',
        WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '30',
      }).worker,
    ).toEqual({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 8,
      maxConcurrentActivityTaskExecutions: 20,
      maxConcurrentLocalActivityExecutions: 30,
    });
  });

  test('when the workflow cache is smaller than the concurrent workflow tasks, then loading fails naming both', () => {
    expect(() =>
      loadConfig({
        DATA_DIR: dataDir(),
        WORKER_MAX_CACHED_WORKFLOWS: '10',
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
      }),
    ).toThrow(/WORKER_MAX_CACHED_WORKFLOWS: at least WORKER_MAX_CONCURRENT_WORKFLOW_TASKS \(20\)/);
  });

  test.each([
    ['WORKER_MAX_CACHED_WORKFLOWS', '-1'],
    ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1'],
    ['PORT', 'seventy'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/roombook'],
    ['REDIS_URL', 'not a url'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['SMTP_URL', 'http://mail'],
    ['LOG_LEVEL', 'loud'],
    ['JWT_SECRET', 'short'],
  ])('when %s=%s, then loading fails naming the variable and what it expects', (name, value) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ DATA_DIR: dataDir(), [name]: value });
    } catch (err) {
      expect((err as Error).message).toContain(`${name}=`);
      expect((err as Error).message).toContain('expected');
    }
  });

  test('when NODE_ENV=production without JWT_SECRET, then loading fails naming JWT_SECRET', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
  });

  test('when only one bootstrap admin variable is set, then loading fails naming both', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), BOOTSTRAP_ADMIN_EMAIL: 'a@b.co' })).toThrow(
      /BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD/,
    );
  });

  test('when no JWT_SECRET is given in development, then one is generated once and kept in the data dir', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).jwtSecret;
    const second = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toBe(first);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8')).toBe(first);
  });

  test('when the api starts with an invalid variable, then it stops at once with the variable named', () => {
    const result = spawnSync(join(__dirname, '..', 'node_modules', '.bin', 'tsx'), ['src/api/server.ts'], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, PORT: 'abc', DATA_DIR: dataDir() },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('PORT="abc" is invalid');
  });

  test.each([
    ['OIDC_ISSUER', 'http://idp.example.com'],
    ['OIDC_ISSUER', 'not a url'],
    ['OIDC_ROLE_CLAIM', 'has spaces'],
    ['OIDC_REDIRECT_ORIGINS', 'https://app.example.com/path'],
    ['REGISTRATION_DOMAINS', 'not a domain'],
    ['RATE_LIMIT_ACCOUNT_MAIL_PER_ADDRESS', '5 per hour'],
  ])('when %s=%s, then loading fails naming the variable', (name, value) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  test('when only part of the single sign-on configuration is set, then loading fails naming what is missing', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), OIDC_ISSUER: 'https://idp.example.com' })).toThrow(
      /OIDC_CLIENT_ID, OIDC_CLIENT_SECRET/,
    );
  });

  test("when single sign-on is configured, then PUBLIC_URL's origin and OIDC_REDIRECT_ORIGINS may receive the tokens", () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      PUBLIC_URL: 'https://rooms.example.com',
      OIDC_ISSUER: 'https://idp.example.com/realms/office',
      OIDC_CLIENT_ID: 'roombook',
      OIDC_CLIENT_SECRET: 's3cret',
      OIDC_REDIRECT_ORIGINS: 'https://app.example.com, http://localhost:5173',
      REGISTRATION_DOMAINS: 'Example.com,@corp.example',
    });
    expect(config.oidc).toEqual({
      issuer: 'https://idp.example.com/realms/office',
      clientId: 'roombook',
      clientSecret: 's3cret',
      roleClaim: undefined,
      redirectOrigins: ['https://rooms.example.com', 'https://app.example.com', 'http://localhost:5173'],
    });
    expect(config.registrationDomains).toEqual(['example.com', 'corp.example']);
  });
});
