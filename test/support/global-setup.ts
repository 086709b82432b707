import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDataSource, ensureDatabase, migrate } from '../../src/db/data-source';
import { startSmtpSink } from './smtp-sink';

/**
 * Once per run: a Temporal dev server of our own on a free port (in memory, search attributes
 * registered) and a fresh database, migrated. Their addresses reach every test file through env.
 */
export default async function globalSetup(): Promise<void> {
  const cliPath = process.env.TEMPORAL_CLI_PATH;
  if (!cliPath)
    throw new Error(
      'TEMPORAL_CLI_PATH is not set: run the tests with `npm test`, which installs and finds the Temporal CLI.',
    );
  const started = Date.now();
  const declared = JSON.parse(
    readFileSync(join(__dirname, '../../src/shared/search-attributes.json'), 'utf8'),
  ) as Record<string, string>;
  const searchAttributes = Object.entries(declared).map(([name, type]) =>
    defineSearchAttributeKey(name, type === 'Datetime' ? SearchAttributeType.DATETIME : SearchAttributeType.KEYWORD),
  );
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cliPath },
      ip: '127.0.0.1',
      searchAttributes,
      log: { format: 'pretty', level: 'error' },
    },
  });
  (globalThis as Record<string, unknown>).__TEMPORAL_ENV__ = env;
  try {
    await prepare(env, started);
  } catch (err) {
    // Jest skips the teardown when setup fails: stop the server here so it does not outlive the run.
    await env.teardown();
    throw err;
  }
}

async function prepare(env: TestWorkflowEnvironment, started: number): Promise<void> {
  const address = (env.connection as unknown as { options: { address: string } }).options.address;
  process.env.TEMPORAL_ADDRESS = address;
  process.env.TEMPORAL_NAMESPACE = 'default';

  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbName = `roombook_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  base.pathname = `/${dbName}`;
  process.env.DATABASE_URL = base.toString();
  (globalThis as Record<string, unknown>).__TEST_DB__ = base.toString();
  await ensureDatabase(base.toString());
  const dataSource = await createDataSource(base.toString(), { poolSize: 2 }).initialize();
  await migrate(dataSource);
  await dataSource.destroy();

  const mailDir = join(__dirname, '..', '..', '.data', 'test-mail', dbName);
  const smtp = await startSmtpSink(mailDir);
  (globalThis as Record<string, unknown>).__SMTP_SINK__ = smtp.server;
  process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
  process.env.TEST_MAIL_DIR = mailDir;

  // The tests play many clients behind one proxy (X-Forwarded-For), as in production behind a load balancer.
  process.env.TRUST_PROXY = 'true';
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
  process.env.JWT_SECRET = process.env.JWT_SECRET ?? randomBytes(48).toString('base64url');
  console.log(`\n[test] Temporal dev server ${address}, database ${dbName} (ready in ${Date.now() - started} ms)`);
}
