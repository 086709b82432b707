import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SMTPServer } from 'smtp-server';
import { dropDatabase } from '../../src/db/data-source';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  await (g.__TEMPORAL_ENV__ as TestWorkflowEnvironment | undefined)?.teardown();
  const smtp = g.__SMTP_SINK__ as SMTPServer | undefined;
  if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
  if (g.__TEST_DB__ && !process.env.KEEP_TEST_DB) await dropDatabase(g.__TEST_DB__ as string);
}
